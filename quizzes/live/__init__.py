"""Live classroom sessions: starting, joining, answering, scoring, and what the screens read.

The state machine and the rules of time are `LiveSession`'s methods (quizzes/models/live.py). Here
are the workflows around them, and the reads the host's and students' screens make.

The database is the truth; the cache every worker shares (Redis with REDIS_URL, otherwise
files on the machine) carries what a whole class reads at once:
- a small stamp (version, status, when the question closes) that students' polls compare with
  what they show (`stamp_read`): a poll writes nothing and, when nothing changed, reads nothing else;
- per version of the session, the questions and each shared screen, rendered once for everyone
  (`per_version`), so a question opening for 2,000 phones is rendered once, not 2,000 times.

An answer is one INSERT (`answer_give`). What it means for progress and review is worked out in
bulk when the question closes (`answers_score`), in a few set-based queries whatever the class size.

One module per part, imported here as the API the views, the admin and the commands use
(`from quizzes import live`, then `live.host_act`): refusals.py (what a student is told), cache.py
(the stamp and what a version shares), tiles.py (options as the room names them), hosting.py (the
host's buttons, idle sessions, closing when all have answered), joining.py, answering.py,
scoring.py (in bulk), standings.py (the projector's reads), screens.py (a player's screen).
"""

from quizzes.live.answering import answer_give, participant_advance, points_for
from quizzes.live.cache import per_version, removed, session_questions, session_read, stamp_read
from quizzes.live.hosting import (
    HOST_ACTIONS,
    IDLE_AFTER,
    HostCounts,
    everyone_answered,
    host_act,
    host_close_when_all_answered,
    host_counts,
    host_settle,
    session_create,
    session_finish,
    sessions_end_idle,
)
from quizzes.live.joining import (
    FAILED_JOIN_ADDRESS_LIMIT,
    FAILED_JOIN_LIMIT,
    browser_key,
    join_crowded,
    join_failed,
    join_ticket,
    participant_remove,
    session_find,
    session_join,
    ticket_nonce,
)
from quizzes.live.refusals import (
    LOCKED,
    NICKNAME_TAKEN,
    NO_SUCH_SESSION,
    NOT_OPEN,
    REMOVED,
    TOO_LATE,
    TOO_MANY_TRIES,
    RefusedError,
)
from quizzes.live.scoring import answers_score
from quizzes.live.screens import UNREAD, Screen, player_screen
from quizzes.live.standings import (
    PODIUM,
    STANDINGS_SHOWN,
    distribution,
    grid,
    place_above,
    standing_of,
    standings,
    standings_moved,
)
from quizzes.live.tiles import CHOICE_KINDS, COLOURS, chosen, tiles

__all__ = [
    "CHOICE_KINDS",
    "COLOURS",
    "FAILED_JOIN_ADDRESS_LIMIT",
    "FAILED_JOIN_LIMIT",
    "HOST_ACTIONS",
    "IDLE_AFTER",
    "LOCKED",
    "NICKNAME_TAKEN",
    "NOT_OPEN",
    "NO_SUCH_SESSION",
    "PODIUM",
    "REMOVED",
    "STANDINGS_SHOWN",
    "TOO_LATE",
    "TOO_MANY_TRIES",
    "UNREAD",
    "HostCounts",
    "RefusedError",
    "Screen",
    "answer_give",
    "answers_score",
    "browser_key",
    "chosen",
    "distribution",
    "everyone_answered",
    "grid",
    "host_act",
    "host_close_when_all_answered",
    "host_counts",
    "host_settle",
    "join_crowded",
    "join_failed",
    "join_ticket",
    "participant_advance",
    "participant_remove",
    "per_version",
    "place_above",
    "player_screen",
    "points_for",
    "removed",
    "session_create",
    "session_find",
    "session_finish",
    "session_join",
    "session_questions",
    "session_read",
    "sessions_end_idle",
    "stamp_read",
    "standing_of",
    "standings",
    "standings_moved",
    "ticket_nonce",
    "tiles",
]
