from django.db import migrations, models

import quizzes.models


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0012_practice_attempt"),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="name",
            field=models.CharField(
                blank=True, help_text="Its name in a Moodle question bank, kept for the way back.", max_length=255
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="stem_html",
            field=models.TextField(
                blank=True,
                help_text="The stem as a Moodle file wrote it in HTML; shown (sanitised) while it reads as the stem.",
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="category",
            field=models.CharField(
                blank=True,
                help_text="Its Moodle category path, when it came from another category than the quiz's own.",
                max_length=500,
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="tolerances",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Numerical: how far from each accepted number an answer may be (±), in their order.",
            ),
        ),
        migrations.AlterField(
            model_name="question",
            name="kind",
            field=models.CharField(
                choices=[
                    ("single", "Single choice"),
                    ("multiple", "Multiple select"),
                    ("true_false", "True or false"),
                    ("gap_fill", "Gap-fill"),
                    ("ordering", "Ordering"),
                    ("matching", "Matching"),
                    ("numerical", "Numerical"),
                ],
                max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="accepted_weights",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Gap-fill: the part of the marks each accepted answer is worth (0 to 1), in their order; "
                "empty: each is worth full marks.",
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="answer_feedback",
            field=models.JSONField(
                blank=True, default=dict, help_text="Gap-fill: what a student who typed an answer reads, by answer."
            ),
        ),
        migrations.AddField(
            model_name="option",
            name="feedback",
            field=models.TextField(blank=True, help_text="What a student who chose this option reads."),
        ),
        migrations.AddField(
            model_name="option",
            name="weight",
            field=models.FloatField(
                blank=True,
                null=True,
                help_text="Part marks, Moodle's way: the fraction of the marks it is worth (-1 to 1); a multiple "
                "select scores the sum of its chosen options', at least 0. Empty: all or nothing.",
            ),
        ),
        migrations.AlterField(
            model_name="option",
            name="match",
            field=models.CharField(
                blank=True,
                help_text="Matching: what this item pairs with; with no text, an extra wrong match to choose from.",
                max_length=300,
            ),
        ),
        migrations.AlterField(
            model_name="option",
            name="text",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name="response",
            name="score",
            field=models.FloatField(
                blank=True,
                null=True,
                help_text="The part of the marks earned, 0 to 1; empty: all or nothing, by is_correct.",
            ),
        ),
        migrations.AlterField(
            model_name="attempt",
            name="score",
            field=quizzes.models.MarksField(
                blank=True, help_text="Marks, once finished: one per question, part marks summed.", null=True
            ),
        ),
    ]
