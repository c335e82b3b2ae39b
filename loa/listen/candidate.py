"""What a collector hands to storage: one item as found at its source, before normalising and de-duplicating."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass
class Candidate:
    url: str = ""  # empty for posts/comments without a link: a key is built from the source and ext_id
    title: str = ""
    summary: str = ""
    text: str = ""
    published: dt.datetime | None = None
    ext_id: str = ""
    author: str = ""
    kind: str = "article"  # article | post | comment
    lang: str = ""
