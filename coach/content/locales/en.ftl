# The coach's words in English: the complete set, and the fallback for every other locale.
# Every message here must be in each other shipped locale's coach file too, and no other
# (a test checks). Which topics there are, their rituals and their order live in
# ../scripted.json; a topic's replies are numbered from 1 and each locale has as many.
#
# Variables a reply may use, filled by the engine from the member's own facts:
#   $plan    what their plan holds (coach-fact-plan*)
#   $streak  their streak (coach-fact-streak), or nothing
#   $break   the couple's break (coach-fact-break-*), or nothing
#   $ritual-KEY  a ritual of the guide, titled and summed up (coach-fact-ritual)
#   $steps-KEY   a ritual of the guide, step by step (coach-fact-steps)
#   $band-KEY    their latest band on an instrument (coach-fact-band), or nothing
# where KEY is the ritual's or instrument's key with "-" for "_".
# Triggers are words and phrases, comma-separated; a message matches one when it holds its
# words in order (case, accents and punctuation aside).

## What the coach says first, and when a written reply stands in for a model.

coach-disclosure =
    A quick word first: I'm Rekindle's automated coach, a program, not a person and not a
    therapist. I can share ideas and rituals, but I can't replace professional help.
coach-fallback-note =
    (The coach's language model could not answer just now, so this reply comes from Rekindle's
    written guidance.)

## Safety: the reply to a message the safety gate stopped, by concern.

coach-safety-suicide =
    Thank you for telling me. What you wrote sounds like you might be thinking about ending your
    life or not wanting to be here, and that matters more than anything else we could talk
    about.
coach-safety-self-harm =
    Thank you for telling me. It sounds like you may be hurting yourself, and you deserve care
    and support right now.
coach-safety-violence =
    Thank you for telling me. What you describe sounds like you may not be safe, and your safety
    comes first.
coach-safety-abuse =
    Thank you for telling me. What you describe sounds like abuse, and it is not your fault.
coach-safety-coercive-control =
    Thank you for telling me. What you describe sounds like being controlled or isolated, which
    is a form of abuse, and it is not your fault.
coach-safety-resources = Please reach out to people who can help right now:
coach-safety-closing =
    If you are in immediate danger, call your local emergency number. This conversation stays
    private to you: your partner is not told, and nothing of it appears in your shared
    summaries. I'm an automated coach, so I'll keep to pointing you to these services here.

## Topics: the words and phrases that name each (comma-separated), then its replies.

coach-greeting-triggers = hello, hi, hey, good morning, good evening, how are you
coach-greeting-reply-1 =
    Hello. I'm here whenever you want to think something through about the two of you. { $plan }
    What's on your mind today?
coach-greeting-reply-2 =
    Hi. We can talk about what feels hard right now, plan a small ritual, or look at how your
    plan is going. { $streak } Where would you like to start?

coach-about-coach-triggers =
    are you a real person, are you human, are you a therapist, are you a bot, are you real, who
    are you, what are you, is this private, what do you do with my messages, can my partner see,
    will he know, will she know
coach-about-coach-reply-1 =
    I'm Rekindle's automated coach: a program, not a person or a therapist. What you write here
    is private to you; your partner, coaches and platforms never see this conversation, and you
    can delete it at any time.

coach-drift-triggers =
    drift, drifting, roommates, distant, disconnected, lonely, loneliness, miss how we, apart,
    autopilot, routine, invisible, no real conversation, barely talk
coach-drift-reply-1 =
    Drifting rarely comes from one big event; it's usually the slow fade of routine, and most
    couples only notice once loneliness feels normal. Small, regular moments of real attention
    undo it faster than grand gestures. { $ritual-evening-check-in } { $plan }
coach-drift-reply-2 =
    Feeling like roommates is one of the most common things couples describe, and it is a
    signal, not a verdict. Curiosity is often the first thing routine wears away, so try one
    open question a day about their inner world. { $ritual-how-are-we-doing } { $streak }

coach-conflict-triggers =
    fight, fighting, fought, argue, argument, arguing, arguments, yell, shouting, same argument,
    defensive, criticise, criticize, blame
coach-conflict-reply-1 =
    The same argument on repeat usually means the real topic hasn't been named yet. When things
    are calm again, debrief together: what each of you needed, not who was right. Speak from
    your own experience with "I" statements, and validate before you try to fix.
    { $ritual-argument-debrief }
coach-conflict-reply-2 =
    Conflict isn't the enemy; staying stuck is. A planned, honest conversation with ground rules
    (no blame, no sarcasm, listen fully) can reset things faster than weeks of polite avoidance.
    { $steps-honesty-hour }

coach-distraction-triggers =
    phone, phones, scroll, scrolling, instagram, social media, tv, netflix, streaming, laptop,
    work stress, emails, notifications, screen, doomscroll
coach-distraction-reply-1 =
    Phones and screens are the distraction couples name most often: many touch their phones more
    than each other in an evening. Protecting one device-free window a day makes a real
    difference. { $ritual-tech-free-meal } { $plan }
coach-distraction-reply-2 =
    Attention is the scarcest thing in a relationship now. Try claiming a small, sacred space
    that the phone never enters, like the first minutes of the morning.
    { $ritual-morning-gratitude }

coach-burnout-boredom-triggers =
    bored, boring, boredom, burnout, burned out, burnt out, exhausted, drained, nothing left,
    apathy, apathetic, restless, same old, stale, tired of us
coach-burnout-boredom-reply-1 =
    It helps to tell burnout from boredom. Boredom feels like restlessness and mild discontent,
    and answers to novelty, new habits and micro-dates. Burnout feels like emotional exhaustion
    and apathy, and usually needs boundaries, time and often professional support.
    { $band-burnout-boredom } { $ritual-weekly-adventure }
coach-burnout-boredom-reply-2 =
    If it's boredom, novelty is the most reliable cure: doing something new together makes the
    excitement spill over onto each other. If it's deeper exhaustion, be gentle with yourself
    first. { $band-burnout-boredom } { $ritual-monthly-new-experience }

coach-resentment-triggers =
    resent, resentment, scorekeeping, keep score, keeps score, keeping score, passive
    aggressive, passive-aggressive, silent treatment, grudge, withhold, withholding, unfair,
    bitter
coach-resentment-reply-1 =
    Resentment grows from what never gets said. Some quiet signs: jokes with a sting, keeping
    score, withholding affection, dodging topics like money or in-laws, long silences, private
    routines that leave the other out, and assuming the worst. Naming one of them gently is a
    start. { $band-resentment-red-flags } { $steps-honesty-hour }
coach-resentment-reply-2 =
    Old hurts papered over with smiles don't go away; they pile up. Pick one grievance, not the
    whole ledger, and bring it to a calm, planned conversation. { $ritual-honesty-hour }

coach-break-triggers =
    break, space, time apart, pause the relationship, separation, step back, trial separation
coach-break-reply-1 =
    Some couples reconnect by stepping back for a while. A structured break works best when you
    both agree on its terms, its boundaries and a timeline; without that clarity it can turn
    into a slow breakup. In Rekindle, one of you proposes a break with an end date and the other
    agrees or declines. { $break }
coach-break-reply-2 =
    Space can be loving when it's agreed, bounded and time-limited. Before proposing a break,
    write down what each of you wants from it and when you'll check in. { $break }

coach-professional-help-triggers =
    therapist, therapy, counselor, counsellor, counselling, counseling, professional,
    psychologist, seek help, outside help, need help
coach-professional-help-reply-1 =
    Asking for help is an act of care, not a failure. It's worth it especially with repeated
    cycles of hurt that don't improve, chronic dishonesty, a deep loss of trust such as repeated
    infidelity, mental health struggles that get in the way, or when one of you has checked out.
    Self-help gives privacy and your own pace; guided support from a therapist or coach gives
    structure, accountability and an outside view. The resources list in the app has books,
    podcasts and workshops.

coach-let-go-triggers =
    let go, give up, giving up, leave him, leave her, end it, ending things, break up, breakup,
    divorce, time to let go, over between us
coach-let-go-reply-1 =
    That's a heavy question, and it deserves honesty rather than a quick answer. Signs people
    weigh include feeling numb no matter what you try, dreading time together, the same fight on
    repeat, contempt replacing respect, no shared vision of the future, and even professional
    help changing nothing. { $band-time-to-let-go } Whatever you decide, a counsellor can help
    you decide it well.

coach-ideas-triggers =
    idea, ideas, suggest, suggestion, something new, what should we do, date, weekend, ritual,
    rituals, try
coach-ideas-reply-1 =
    Here's one to try: { $ritual-weekly-adventure } Small and new beats big and familiar.
    { $plan }
coach-ideas-reply-2 =
    A tiny one with a big effect: { $ritual-cuddle-countdown } Or, if words come easier:
    { $ritual-gratitude-post-its }

coach-plan-triggers =
    plan, streak, streaks, progress, how are we doing, how is our plan, how are we going,
    missed, skipped, behind
coach-plan-reply-1 =
    { $plan } { $streak } { $break } Consistency matters more than intensity: a ritual kept
    small and regular beats a big one that lapses.
coach-plan-reply-2 =
    { $streak } { $plan } If something keeps slipping, make it smaller or move it to a time that
    actually works.

coach-touch-triggers =
    touch, touched, hug, cuddle, affection, intimacy, intimate, sex, kiss, physical
coach-touch-reply-1 =
    Touch can feel awkward when emotional walls are up. Start small, with a hand on the shoulder
    rather than anything sexual, respect each other's boundaries, and let comfort grow.
    { $steps-touch-ladder }
coach-touch-reply-2 =
    Physical intimacy is more than sex: holding hands, cuddling, even breathing in sync.
    { $ritual-six-second-kiss }

coach-listening-triggers =
    listen, listening, not listening, never listens, hear me, heard, understand me, understood,
    attunement
coach-listening-reply-1 =
    Listening well is a skill you can practise: devices away and eye contact, summarising their
    feelings without judgement, noticing mood shifts, asking open questions, staying present in
    conflict instead of planning your defence, and validating feelings even when you disagree.
    { $band-listening-attunement } { $ritual-evening-check-in }

coach-comparison-triggers =
    other couples, compare, comparing, perfect couple, everyone else, online, highlight
coach-comparison-reply-1 =
    Other couples' feeds are highlight reels; behind them are the same awkward silences and
    half-finished arguments. Comparing tends to make people feel more inadequate and further
    apart. The only standard that matters is the one you two build.

coach-gratitude-triggers =
    grateful, gratitude, appreciate, appreciation, thank him, thank her, thankful
coach-gratitude-reply-1 =
    Naming one thing you appreciate, every day, is one of the simplest rituals there is.
    { $ritual-morning-gratitude }

coach-positive-triggers =
    better, closer, laughed, great, good night, wonderful, happy, worked, it helped, progress,
    hopeful
coach-positive-reply-1 =
    That's worth celebrating. Progress is often quiet: shorter arguments, touch that feels
    welcome again, new inside jokes, curiosity coming back. { $streak } Mark the small wins
    together.

## Anything else.

coach-unknown-reply-1 =
    Thank you for sharing that. Could you tell me a little more about what's been happening
    between the two of you? { $plan }
coach-unknown-reply-2 =
    I'm listening. What would feel like a small step in the right direction this week?
    { $streak }

## The member's own facts, as replies put them. $titles lists up to three ritual titles;
## $until is a date written with coach-date.

coach-fact-plan-empty =
    You don't have an active plan yet; starting with one small daily ritual is enough.
coach-fact-plan =
    { $count ->
        [one] Your plan has { $titles }.
       *[other] Your plan has { $count } rituals, including { $titles }.
    }
coach-fact-streak = Your current streak is { $current } (your longest is { $longest }).
coach-fact-break-running = You two are on an agreed break until { $until }.
coach-fact-break-proposed = A break has been proposed and is waiting for an answer.
coach-fact-band = Your latest { $instrument } result was "{ $band }".
coach-fact-ritual = { $title }: { $summary }
coach-fact-steps = { $title }, step by step: { $steps }.

## Dates: $day of the month, $month and $weekday from the names below, $year.

coach-date = { $day } { $month } { $year }
coach-day = { $weekday } { $day } { $month }
coach-month-1 = January
coach-month-2 = February
coach-month-3 = March
coach-month-4 = April
coach-month-5 = May
coach-month-6 = June
coach-month-7 = July
coach-month-8 = August
coach-month-9 = September
coach-month-10 = October
coach-month-11 = November
coach-month-12 = December
coach-weekday-1 = Monday
coach-weekday-2 = Tuesday
coach-weekday-3 = Wednesday
coach-weekday-4 = Thursday
coach-weekday-5 = Friday
coach-weekday-6 = Saturday
coach-weekday-7 = Sunday

## Conversation starters for a couple, numbered from 1 within each kind. $about is the
## check-in question, instrument or ritual a starter draws from; $day is written with
## coach-day; $band is a shared result's band.

coach-starter-check-in-1 =
    You both answered "{ $about }" on { $day }. Ask each other: what would you add to your
    answer now?
coach-starter-check-in-2 =
    On { $day } you both answered "{ $about }". What did your partner's answer tell you that you
    didn't know?
coach-starter-shared-result-1 =
    { $about } came out as "{ $band }". What felt true about it to each of you, and what didn't?
coach-starter-shared-result-2 =
    Looking at "{ $band }" for { $about }: what is one small thing that would move it in the
    right direction?
coach-starter-completion-1 =
    You did { $about } on { $day }. What was one moment of it you'd like more of?
coach-starter-completion-2 =
    Think back to { $about } on { $day }: when did you feel closest during it?
coach-starter-plan-1 =
    { $about } is part of your plan. What would make it feel less like a task and more like a
    moment?
coach-starter-plan-2 = If you could change one thing about how you do { $about }, what would it be?
coach-starter-general-1 =
    What is one thing your partner did lately that you appreciated but didn't say?
coach-starter-general-2 = What would a perfect ordinary evening together look like this week?
coach-starter-general-3 = What is something new you'd like to try together this month?
