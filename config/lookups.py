"""`__in` on integer columns, as Django's own integer lookups treat a number no column holds.

Django answers `filter(pk=10**20)` with nothing (`IntegerFieldOverflow` on exact, gt, lt…), but
`filter(pk__in=[10**20])` reaches the driver, and SQLite raises OverflowError: a 500 wherever an
id from a request goes into `__in`, as the admin's many-to-many fields, action checkboxes and
autocomplete widgets do with a posted 20-digit id. Such a value can match no row, so it is left
out of the list, and a list left empty matches nothing.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            kept = [
                value
                for value in self.rhs
                if not isinstance(value, int) or ((low is None or value >= low) and (high is None or value <= high))
            ]
            if not kept:
                raise EmptyResultSet
            self.rhs = kept
        return super().process_rhs(compiler, connection)


def register() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
