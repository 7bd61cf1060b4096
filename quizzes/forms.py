"""Forms of the practice side: the answer to one question, and a student's sign-up.

Options travel as the attempt's opaque tokens (see `Attempt.token`); anything else posted,
an unknown token, an ordering that is not a permutation, a repeated match, overlong text,
is a form error, which the view answers with 400 and stores nothing.
"""

import re
import unicodedata

from django import forms
from django.contrib.auth.forms import UserCreationForm

from explainer.text import invisible_strip
from quizzes.generation import ordinal
from quizzes.grading import MAX_TEXT_LENGTH
from quizzes.models import Attempt, LiveSession, Option, Question

DISPLAY_NAME_LENGTH = 40  # Learner.display_name
NOT_AN_OPTION = "That answer is not one of this question's options."


class AnswerForm(forms.Form):
    def __init__(self, *args, attempt: Attempt, question: Question, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.attempt = attempt
        self.question = question
        self.items: list[Option] = attempt.shuffled(question, question.options.all())
        self.by_token = {attempt.token(option): option for option in self.items}
        choices = [(token, option.text) for token, option in self.by_token.items()]
        Kind = Question.Kind  # noqa: N806 (an alias of a class)
        match question.kind:
            case Kind.SINGLE | Kind.TRUE_FALSE:
                self.fields["choice"] = forms.ChoiceField(
                    label=question.stem,
                    choices=choices,
                    widget=forms.RadioSelect,
                    error_messages={"required": "Choose an answer.", "invalid_choice": NOT_AN_OPTION},
                )
            case Kind.MULTIPLE:
                self.fields["choices"] = forms.MultipleChoiceField(
                    label=question.stem,
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple,
                    error_messages={"required": "Select at least one option.", "invalid_choice": NOT_AN_OPTION},
                )
            case Kind.GAP_FILL | Kind.NUMERICAL:
                self.fields["text"] = forms.CharField(
                    label="Your answer",
                    max_length=MAX_TEXT_LENGTH,
                    error_messages={
                        "required": "Type your answer in the gap.",
                        "max_length": f"Keep your answer under {MAX_TEXT_LENGTH} characters.",
                    },
                )
            case Kind.ORDERING:
                places = [("", "Choose a place")] + [(str(n), ordinal(n)) for n in range(1, len(self.items) + 1)]
                for token, option in self.by_token.items():
                    self.fields[f"place-{token}"] = forms.ChoiceField(
                        label=option.text,
                        choices=places,
                        error_messages={"required": "Give every event a place.", "invalid_choice": "Not a place."},
                    )
            case Kind.MATCHING:
                # Every option's match is a choice, an extra wrong match (no text) too; only items are asked.
                self.match_by_token = {attempt.token(o, "match"): o for o in self.items}
                matches = attempt.shuffled(question, [(t, o.match) for t, o in self.match_by_token.items()], "match")
                self.by_token = {token: option for token, option in self.by_token.items() if option.text}
                for token, option in self.by_token.items():
                    self.fields[f"match-{token}"] = forms.ChoiceField(
                        label=option.text,
                        choices=[("", "Choose…"), *matches],
                        error_messages={"required": "Match every item.", "invalid_choice": "Not one of the choices."},
                    )

    def clean(self) -> dict:
        cleaned = super().clean()
        values = [cleaned.get(name) for name in self.fields if name.startswith(("place-", "match-"))]
        if values and None not in values and len(set(values)) != len(values):
            if self.question.kind == Question.Kind.ORDERING:
                raise forms.ValidationError("Give each event a different place, from first to last.")
            raise forms.ValidationError("Use each answer once.")
        return cleaned

    def answer(self) -> dict:
        """The answer in terms of option ids, as stored and graded."""
        data = self.cleaned_data
        match self.question.kind:
            case Question.Kind.SINGLE | Question.Kind.TRUE_FALSE:
                return {"options": [self.by_token[data["choice"]].pk]}
            case Question.Kind.MULTIPLE:
                return {"options": sorted(self.by_token[token].pk for token in data["choices"])}
            case Question.Kind.GAP_FILL | Question.Kind.NUMERICAL:
                return {"text": data["text"]}
            case Question.Kind.ORDERING:
                places = {self.by_token[name.removeprefix("place-")].pk: int(data[name]) for name in self.fields}
                return {"order": sorted(places, key=places.get)}
            case _:
                return {
                    "pairs": {
                        str(self.by_token[name.removeprefix("match-")].pk): self.match_by_token[data[name]].pk
                        for name in self.fields
                    }
                }


def name_clean(value: str) -> str:
    """A name as people will read it: NFKC-normalised, without control or bidirectional-override
    characters (which could reverse or hide text), and with its spaces collapsed."""
    return " ".join(invisible_strip(unicodedata.normalize("NFKC", value)).split())


class SignupForm(UserCreationForm):
    """Username, display name, an optional e-mail address (for a password-reset link) and a
    password. Django's validators judge the password."""

    display_name = forms.CharField(
        max_length=DISPLAY_NAME_LENGTH,
        help_text="How your name appears to you and your teacher. Up to 40 characters.",
        error_messages={"required": "Choose a display name."},
    )
    email = forms.EmailField(
        label="E-mail address (optional)",
        required=False,
        max_length=254,  # User.email
        help_text="Only to send you a link if you forget your password. Leave it empty if you like.",
    )

    class Meta(UserCreationForm.Meta):
        fields = ("username", "display_name", "email")

    def clean_display_name(self) -> str:
        name = name_clean(self.cleaned_data["display_name"])
        if not name:
            raise forms.ValidationError("Choose a display name with at least one visible letter.")
        # Checked again once normalised: NFKC can make a short name longer ("ﷺ" is 18 letters).
        if len(name) > DISPLAY_NAME_LENGTH:
            raise forms.ValidationError(f"Keep your display name to {DISPLAY_NAME_LENGTH} characters.")
        return name


NICKNAME_LENGTH = 20  # Participant.nickname
# Words a nickname may not be or contain as a word: a short list for a classroom's projector,
# not a filter of all English. Letters are compared after folding case, accents and look-alike
# digits. Only whole words count, so Scunthorpe, Dickens, Hancock and Arsenal stay allowed; the
# few in BLOCKED_ANYWHERE are refused inside longer names too ("xXfuckXx").
BLOCKED_WORDS = frozenset(
    [
        "arse",
        "arsehole",
        "ass",
        "asshole",
        "bastard",
        "bitch",
        "bollocks",
        "bullshit",
        "cock",
        "crap",
        "cunt",
        "dick",
        "dickhead",
        "fag",
        "faggot",
        "fuck",
        "fucker",
        "fucking",
        "motherfucker",
        "nazi",
        "nigga",
        "nigger",
        "penis",
        "piss",
        "porn",
        "prick",
        "pussy",
        "rape",
        "retard",
        "shit",
        "slut",
        "twat",
        "vagina",
        "wanker",
        "whore",
        "hitler",
    ]
)
BLOCKED_ANYWHERE = frozenset({"fuck", "nigger", "nigga", "faggot"})
LOOKALIKES = str.maketrans("013457@$!|", "oieastasil")


def nickname_blocked(name: str) -> bool:
    folded = unicodedata.normalize("NFKD", name.casefold()).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z]+", folded.translate(LOOKALIKES))
    squashed = "".join(words)  # "s h i t", "S.H.I.T"
    return (
        any(word in BLOCKED_WORDS for word in words)
        or squashed in BLOCKED_WORDS
        or any(bad in squashed for bad in BLOCKED_ANYWHERE)
    )


def code_clean(value: str) -> str:
    """A join code as typed: spaces and dashes dropped, upper case."""
    return "".join(char for char in value.upper() if char not in " -\t")


class ClassJoinForm(forms.Form):
    """A teacher's class, by the code the teacher gave (the class page's QR code fills it in)."""

    code = forms.CharField(
        label="Class code",
        max_length=12,
        help_text="The code your teacher gave you, for example K7MPQ3X.",
        error_messages={"required": "Type the code your teacher gave you."},
    )


class SessionJoinForm(forms.Form):
    """A live session's code and, for a guest, a nickname. A signed-in student joins under their
    display name (`signed_in`), so the form asks only for the code."""

    code = forms.CharField(
        label="Game code",
        max_length=20,
        help_text="The 6 letters and digits on the teacher's screen.",
        error_messages={"required": "Type the code on the teacher's screen."},
    )
    nickname = forms.CharField(
        label="Nickname",
        max_length=60,
        help_text=f"How you appear on the class screen: up to {NICKNAME_LENGTH} characters.",
        error_messages={"required": "Choose a nickname."},
    )

    def __init__(self, *args, signed_in: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if signed_in:
            del self.fields["nickname"]

    def clean_code(self) -> str:
        # Not checked against the alphabet: a code that cannot exist is answered like an unknown one.
        return code_clean(self.cleaned_data["code"])

    def clean_nickname(self) -> str:
        name = name_clean(self.cleaned_data["nickname"])
        if not name:
            raise forms.ValidationError("Choose a nickname with at least one visible letter.")
        if len(name) > NICKNAME_LENGTH:
            raise forms.ValidationError(f"Keep your nickname to {NICKNAME_LENGTH} characters.")
        if nickname_blocked(name):
            raise forms.ValidationError("Choose another nickname: this one is not for a class screen.")
        return name


class SessionOptionsForm(forms.ModelForm):
    """How a live session runs: chosen by the teacher who starts it."""

    class Meta:
        model = LiveSession
        fields = ["quiz", "pacing", "timer", "scoring", "leaderboard", "shuffle", "close_when_all_answered"]
        widgets = {
            "pacing": forms.RadioSelect,
            "scoring": forms.RadioSelect,
            "leaderboard": forms.RadioSelect,
        }
        labels = {"leaderboard": "Show the leaderboard"}

    def __init__(self, *args, quizzes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quiz"].queryset = quizzes
        self.fields["timer"].validators.append(self._timer_range)

    @staticmethod
    def _timer_range(value: int | None) -> None:
        if value is not None and not 5 <= value <= 600:
            raise forms.ValidationError("Give between 5 and 600 seconds, or leave it empty for no time limit.")

    def clean_quiz(self):
        quiz = self.cleaned_data["quiz"]
        questions = list(quiz.questions.accepted().prefetch_related("options"))
        if not questions:
            raise forms.ValidationError("This quiz has no question students can see yet.")
        for number, question in enumerate(questions, start=1):
            if problems := question.problems():
                raise forms.ValidationError(f"Question {number} cannot be asked yet: {' '.join(problems)}")
        return quiz
