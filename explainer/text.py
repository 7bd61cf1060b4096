"""Comparing short answers loosely, so that no question turns on spelling or typography."""

import re
import unicodedata

LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+")


def plain(text: str) -> str:
    """`text` without case, accents, punctuation, extra spaces or a leading article.

    "The CSTO", "the Csto" and "CSTO." are the same; so are "Chișinău" and "Chisinau".
    """
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = re.sub(r"[^\w\s]", " ", text.replace("'", "").replace("’", ""))
    return LEADING_ARTICLE.sub("", " ".join(text.split()))
