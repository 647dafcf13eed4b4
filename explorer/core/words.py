"""Small English word lists shared by the rules: stop words and very common words.

``STOP_WORDS`` are function words a search drops from a question ("what is the hard
problem of consciousness" asks about "hard problem consciousness"). ``COMMON_WORDS``
adds frequent verbs, adjectives, nouns and interjections that open sentences or headings
("To", "Let's", "Find", "Small", "Mom") and so are never a person's or a source's name
on their own.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP_WORDS = _words(
    """a about above after again against all also am an and any are aren't as at be because
    been before being below between both but by can can't cannot could couldn't did didn't
    do does doesn't doing don't down during each else even ever every few for from further
    had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers
    herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its
    itself just let's many may me might more most much must mustn't my myself no nor not
    now of off on once only or other ought our ours ourselves out over own same shall shan't
    she she'd she'll she's should shouldn't so some such than that that's the their theirs
    them themselves then there there's these they they'd they'll they're they've this those
    though through to too under until up upon us very was wasn't we we'd we'll we're we've
    were weren't what what's when when's where where's whether which while who who's whom
    whose why why's will with won't would wouldn't yet you you'd you'll you're you've your
    yours yourself yourselves"""
)

COMMON_WORDS = STOP_WORDS | _words(
    """add added adding ask asked back bad best better big build call called came can
    change check choose close come comes common create day did done easy end enough
    example fast feel few final find first fix follow get gets give go goes going good
    great hard help high how huge important keep kind know large last late later least
    left less let lets like little long look looks low made main make makes mean means mom
    dad more move much must need needs never new next nice note notes old once one open
    other part people pick place plan point put quick quite read real really right run
    said same say says see seem seems set short show shows side simple since small so
    some soon start still stop sure take takes tell test thing things think thought time
    today together too top true try turn two type up use used uses using want wants way
    well went whole why wide work works write wrong yes yeah ok okay hey hi hello thanks
    please step steps tip tips todo note idea ideas question questions answer answers
    problem problems summary overview intro introduction conclusion update edit video
    youtube link links source sources article post thread tweet here this that paper
    blog site page website podcast episode talk slides docs documentation tutorial guide"""
)
