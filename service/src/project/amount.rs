//! Quantities (targets, progress) are exact to four decimal places: the
//! API's floats are read as the decimal they print as, and stored as whole
//! ten-thousandths, so a thousand 0.1s sum to exactly 100 on every database.

use crate::error::ApiError;

/// Ten-thousandths per unit.
pub const SCALE: i64 = 10_000;
/// The largest quantity accepted (a hundred billion: any 원 amount a
/// coalition counts), which keeps every scaled value exact in an `f64`.
pub const MAX: f64 = 1e11;

/// The most a goal's recordings may add up to in absolute value (9×10^14
/// in its unit), so no sum over them can overflow a 64-bit integer.
pub const MAX_VOLUME_E4: i64 = 9_000_000_000_000_000_000;

/// `value` in ten-thousandths; BAD_USER_INPUT for a value that is not
/// finite, beyond [`MAX`], or has more than four decimal places.
pub fn to_e4(field: &str, value: f64) -> Result<i64, ApiError> {
    if !value.is_finite() || value.abs() > MAX {
        return Err(ApiError::bad_input(
            field,
            format!("`{field}` must be a number between -{MAX} and {MAX}"),
        ));
    }
    // Rust prints the shortest decimal that reads back as the same float.
    let printed = value.to_string();
    let decimals = printed.split_once('.').map_or(0, |(_, f)| f.len());
    if decimals > 4 {
        return Err(ApiError::bad_input(
            field,
            format!("`{field}` has at most four decimal places"),
        ));
    }
    Ok((value * SCALE as f64).round() as i64)
}

/// Ten-thousandths as the API's float.
pub fn from_e4(value: i64) -> f64 {
    value as f64 / SCALE as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact() {
        assert_eq!(to_e4("amount", 0.1).unwrap(), 1_000);
        assert_eq!(to_e4("amount", -2.5).unwrap(), -25_000);
        assert_eq!(to_e4("amount", 12_000_000.0).unwrap(), 120_000_000_000);
        assert_eq!(to_e4("amount", 1234.5678).unwrap(), 12_345_678);
        assert_eq!(from_e4(1_000 * 1_000), 100.0);
        assert_eq!(
            from_e4(to_e4("amount", 99_999_999_999.999_9).unwrap()),
            99_999_999_999.999_9
        );
    }

    #[test]
    fn edges() {
        assert_eq!(to_e4("amount", -0.0).unwrap(), 0);
        assert_eq!(to_e4("amount", 1e-4).unwrap(), 1);
        assert_eq!(to_e4("amount", MAX).unwrap(), 1_000_000_000_000_000);
        assert_eq!(to_e4("amount", -MAX).unwrap(), -1_000_000_000_000_000);
    }

    #[test]
    fn refused() {
        // 0.1 + 0.2 prints as 0.30000000000000004: a sum a client made in
        // floats is refused rather than silently rounded.
        for bad in [
            0.12345,
            1e-5,
            0.1 + 0.2,
            f64::NAN,
            f64::INFINITY,
            1e12,
            -1e12,
            1e11 + 1.0,
        ] {
            assert_eq!(
                to_e4("amount", bad).unwrap_err().code(),
                "BAD_USER_INPUT",
                "{bad}"
            );
        }
    }
}
