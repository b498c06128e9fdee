use super::*;

fn gate() -> Gate {
    Gate::builtin().unwrap()
}

#[test]
fn the_shipped_rules_compile() {
    assert!(gate().patterns.len() > 100);
}

#[test]
fn a_direct_statement_is_stopped_with_its_concern() {
    let gate = gate();
    assert_eq!(gate.check("I want to kill myself"), Some(Concern::Suicide));
    assert_eq!(
        gate.check("I've been cutting myself"),
        Some(Concern::SelfHarm)
    );
    assert_eq!(gate.check("He hit me last night"), Some(Concern::Violence));
    assert_eq!(gate.check("He is abusive"), Some(Concern::Abuse));
    assert_eq!(
        gate.check("He won't let me see my friends"),
        Some(Concern::CoerciveControl)
    );
}

#[test]
fn a_negator_just_before_sets_a_match_aside() {
    let gate = gate();
    assert_eq!(gate.check("I would never hurt myself"), None);
    assert_eq!(gate.check("I'm not suicidal, just tired"), None);
    assert_eq!(gate.check("He has never hit me"), None);
}

#[test]
fn a_negator_in_another_clause_or_further_back_does_not() {
    let gate = gate();
    assert_eq!(
        gate.check("I'm not okay, I want to kill myself"),
        Some(Concern::Suicide)
    );
    assert_eq!(
        gate.check("Not that it matters but I want to die"),
        Some(Concern::Suicide)
    );
}

#[test]
fn a_pattern_that_holds_its_negation_is_not_set_aside_by_it() {
    assert_eq!(
        gate().check("I don't want to live anymore"),
        Some(Concern::Suicide)
    );
}

#[test]
fn misspellings_symbols_and_stretched_letters_read_as_the_word() {
    let gate = gate();
    for message in [
        "im so sucidal",
        "thinking of suiside",
        "I want to k1ll myself",
        "i want to diiiie",
    ] {
        assert_eq!(gate.check(message), Some(Concern::Suicide), "{message}");
    }
    assert_eq!(
        gate.check("he threatend to hurt me"),
        Some(Concern::Violence)
    );
}

#[test]
fn real_words_near_a_fuzzy_word_are_kept_as_written() {
    let gate = gate();
    assert_eq!(gate.check("That's a strange thing to say"), None);
    assert_eq!(gate.check("He says I'm amusing"), None);
}

#[test]
fn figures_of_speech_pass() {
    let gate = gate();
    for message in [
        "I could kill for a holiday",
        "This commute is killing me",
        "I'm dying to see that film",
        "I wanted to die of embarrassment",
        "I need to take care of myself",
    ] {
        assert_eq!(gate.check(message), None, "{message}");
    }
}

#[test]
fn the_end_of_a_sentence_is_a_word_boundary_for_patterns_that_ask_for_it() {
    let gate = gate();
    assert_eq!(gate.check("I'm scared of him."), Some(Concern::Violence));
    assert_eq!(
        gate.check("I'm scared of him, he drinks"),
        Some(Concern::Violence)
    );
    assert_eq!(gate.check("I'm scared of her reaction."), None);
}

#[test]
fn rules_that_do_not_compile_name_their_line() {
    let err = Gate::compile("concern suicide\nkill ~x myself").unwrap_err();
    assert_eq!(err.line, 2);
    let err = Gate::compile("# rules\nkill myself").unwrap_err();
    assert_eq!(err.line, 2);
    assert!(err.problem.contains("concern"));
    let err = Gate::compile("concern nonsense").unwrap_err();
    assert_eq!(err.line, 1);
    let err = Gate::compile("concern suicide\n~2 myself").unwrap_err();
    assert_eq!(err.line, 2);
    let err = Gate::compile("fuzzy kil").unwrap_err();
    assert!(err.problem.contains("too short"));
}

#[test]
fn folding_reads_a_word_as_the_rules_do() {
    assert_eq!(fold_word("Don't"), "dont");
    assert_eq!(fold_word("K1LLL"), "kil");
    assert_eq!(fold_word("$elf"), "self");
    assert_eq!(fold_word("2024"), "2024");
}

#[test]
fn spanish_statements_are_stopped_with_their_concern_accents_or_not() {
    let gate = gate();
    for (message, concern) in [
        ("Ya no quiero vivir", Concern::Suicide),
        ("me quiero matar", Concern::Suicide),
        ("He pensado en quitarme la vida", Concern::Suicide),
        ("todos estarían mejor sin mí", Concern::Suicide),
        ("Me corto los brazos cuando estoy mal", Concern::SelfHarm),
        ("Mi marido me golpeo anoche", Concern::Violence),
        ("Mi esposo me pegó otra vez", Concern::Violence),
        ("se pone violenta cuando bebe", Concern::Violence),
        ("Tengo miedo de él", Concern::Violence),
        ("Me obligó a tener sexo", Concern::Abuse),
        ("No me deja ver a mis amigos", Concern::CoerciveControl),
        ("revisa mi celular todo el tiempo", Concern::CoerciveControl),
    ] {
        assert_eq!(gate.check(message), Some(concern), "{message}");
    }
}

#[test]
fn spanish_negations_and_figures_of_speech_pass() {
    let gate = gate();
    for message in [
        "Nunca me pegó",
        "No me quiero matar, solo estoy cansada",
        "me voy a matar de risa con esta serie",
        "quiero morir de vergüenza",
        "Me pegó un susto tremendo",
        "no estoy segura de qué hacer",
        "Peleamos por la misma discusión de siempre",
        "no me deja hablar cuando discutimos",
    ] {
        assert_eq!(gate.check(message), None, "{message}");
    }
    // A negator in the clause before does not reach past "pero".
    assert_eq!(
        gate.check("No sé, pero me quiero morir"),
        Some(Concern::Suicide)
    );
}
