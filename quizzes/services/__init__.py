"""Workflows of the practice side, one module each (import from the module; nothing is
re-exported here):

- `questions`: the generator's material from the fact base (`material_load`, `fact_input`),
  drafts saved as questions (`questions_save`), questions copied (`questions_copy`).
- `builtin`: the built-in quizzes (`default_quizzes`, `CORE_FACTS`, `STORY_SLUG`,
  `DEFAULT_SEED`), generated (`default_quizzes_generate`) or only counted (`default_quizzes_mix`).
- `learners`: the learner behind a request (`learner_for`, `LEARNER_SESSION_KEY`), accounts
  (`account_create`), a guest's progress carried into an account (`learner_claim`,
  `learner_merge`, `cards_rebuild`, `guest_kept`; `guest_unmerged` while a failed merge waits).
- `answering`: attempts and answers (`attempt_start`, `answer_submit`, `fact_reviewable`).
- `review`: review rounds (`review_start`, `REVIEW_SIZE`) and practice rounds
  (`practice_start`, `PRACTICE_SIZE`).
- `authoring`: teachers' work (`questions_generate`, `questions_from_facts`, `quiz_duplicate`,
  `quiz_slug_free`, `classroom_join`).
"""
