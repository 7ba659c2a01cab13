//! Numbers as the report writes them.

/// A median in the unit that keeps three significant digits readable.
pub fn time(ns: Option<f64>) -> String {
    let Some(ns) = ns else {
        return "not measured".to_owned();
    };
    let (value, unit) = if ns < 1e3 {
        (ns, "ns")
    } else if ns < 1e6 {
        (ns / 1e3, "µs")
    } else if ns < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    format!("{} {unit}", significant(value))
}

/// A number with about three significant digits.
pub fn significant(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// `ours ÷ baseline`, and the same as a speed-up or slow-down.
pub fn ratio_cell(ratio: Option<f64>) -> String {
    match ratio {
        None => "—".to_owned(),
        // Two decimals would show a miss of a fraction of a percent as 1.00.
        Some(r) if (r - 1.0).abs() < 0.01 => {
            let side = if r <= 1.0 { "faster" } else { "slower" };
            format!("{r:.3} ({:.1}% {side})", (r - 1.0).abs() * 100.0)
        }
        Some(r) if r <= 1.0 => format!("{r:.2} ({}× faster)", significant(1.0 / r)),
        Some(r) => format!("{r:.2} ({}× slower)", significant(r)),
    }
}

pub fn percent(fraction: f64) -> String {
    format!("{:.0}%", fraction * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_pick_their_unit() {
        assert_eq!(time(Some(812.4)), "812 ns");
        assert_eq!(time(Some(19_274.7)), "19.3 µs");
        assert_eq!(time(Some(6_517_687.0)), "6.52 ms");
        assert_eq!(time(Some(2_345_000_000.0)), "2.35 s");
        assert_eq!(time(None), "not measured");
    }

    #[test]
    fn ratios_read_both_ways() {
        assert_eq!(ratio_cell(Some(0.5)), "0.50 (2.00× faster)");
        assert_eq!(ratio_cell(Some(0.0087)), "0.01 (115× faster)");
        assert_eq!(ratio_cell(Some(1.7)), "1.70 (1.70× slower)");
        assert_eq!(ratio_cell(Some(1.003)), "1.003 (0.3% slower)");
        assert_eq!(ratio_cell(Some(0.995)), "0.995 (0.5% faster)");
        assert_eq!(ratio_cell(None), "—");
    }
}
