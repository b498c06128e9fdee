//! The built-in instruments, drawn from the reconnection guide's checklists and its table of
//! burnout against boredom. Each is a file under `domain/content/instruments/`, built into the
//! binary and checked like any other definition.

use super::{Instrument, InstrumentError};

/// (file name, contents) of every built-in definition.
const FILES: [(&str, &str); 6] = [
    (
        "listening_attunement.json",
        include_str!("../../content/instruments/listening_attunement.json"),
    ),
    (
        "resentment_red_flags.json",
        include_str!("../../content/instruments/resentment_red_flags.json"),
    ),
    (
        "burnout_boredom.json",
        include_str!("../../content/instruments/burnout_boredom.json"),
    ),
    (
        "time_to_let_go.json",
        include_str!("../../content/instruments/time_to_let_go.json"),
    ),
    (
        "signs_of_progress.json",
        include_str!("../../content/instruments/signs_of_progress.json"),
    ),
    (
        "when_diy_is_not_enough.json",
        include_str!("../../content/instruments/when_diy_is_not_enough.json"),
    ),
];

/// Every built-in instrument, loaded and checked; the first bad file fails them all.
pub fn builtin_instruments() -> Result<Vec<Instrument>, InstrumentError> {
    let instruments = FILES
        .iter()
        .map(|(file, json)| Instrument::load(file, json))
        .collect::<Result<Vec<_>, _>>()?;
    for (instrument, (file, _)) in instruments.iter().zip(FILES.iter()) {
        if format!("{}.json", instrument.key) != *file {
            return Err(InstrumentError {
                file: (*file).to_owned(),
                field: "key".into(),
                problem: format!(
                    "a built-in's file is named after its key, `{}`",
                    instrument.key
                ),
            });
        }
    }
    Ok(instruments)
}
