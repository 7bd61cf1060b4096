"""Facts as the generator reads them, shared by the generator's tests and the review's."""

from quizzes import generation as g

MEMBERS = g.FactIn(
    key="A09",
    kind="membership",
    statement="In June 2009 the CSTO had seven members.",
    question="In June 2009, which seven countries were members of the CSTO?",
    answers=("Russia", "Belarus", "Armenia", "Kazakhstan", "Uzbekistan", "Tajikistan", "Kyrgyzstan"),
    distractors=("Turkmenistan", "Ukraine", "Georgia", "Azerbaijan"),
    status="dated",
    as_of="2009-06-14",
    topics=("csto",),
    sentences=(3,),
)

BAN_DATE = g.FactIn(
    key="A26",
    kind="date",
    statement="Russia banned imports of Belarusian dairy products on 6 June 2009.",
    question="On what date did Russia ban imports of Belarusian dairy products?",
    answers=("6 June 2009",),
    accepted=("June 6, 2009",),
    distractors=("13 June 2009", "17 June 2009", "28 May 2009", "1 June 2009", "June 6, 2009"),
    topics=("milk-war",),
    sentences=(10,),
)

CLAIM = g.FactIn(
    key="A24",
    kind="cause_effect",
    statement="Lukashenko said the Kremlin had demanded that Belarus recognise Abkhazia and South Ossetia.",
    question="According to Lukashenko, which two regions had the Kremlin demanded that Belarus recognise?",
    answers=("Abkhazia and South Ossetia",),
    distractors=("Kosovo and Transnistria", "Crimea and Donbas", "Karabakh and Nakhichevan"),
    status="disputed",
    topics=("milk-war",),
    sentences=(9,),
)
