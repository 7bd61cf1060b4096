"""Admin inline formsets that build no more forms than the rows they edit and a few new ones."""

from django.forms.models import BaseInlineFormSet

ADDED_MAX = 50  # new rows one post may add to an inline


class BoundedInlineFormSet(BaseInlineFormSet):
    """A post's management form says how many forms it holds, and Django builds that many (and,
    on an error, renders them), up to its `absolute_max` of 2,000: a made-up TOTAL_FORMS cost a
    class page 13 seconds. Here a post holds at most the rows it edits plus ADDED_MAX new ones;
    more is Django's own form error for too many forms, which then names this number."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.absolute_max = min(self.absolute_max, len(self.get_queryset()) + ADDED_MAX)
            self.max_num = min(self.max_num, self.absolute_max)
