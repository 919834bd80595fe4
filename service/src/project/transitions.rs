//! The rules of projects and goals that need no database: a project's
//! status changes, a goal's shape, and which progress a goal accepts.

use crate::error::ApiError;
use entity::{GoalKind, GoalMeasure, GoalStatus, ProjectStatus};

/// PLANNED → ACTIVE → COMPLETED, CANCELLED from PLANNED or ACTIVE, and a
/// COMPLETED project reopened as ACTIVE. CANCELLED is final.
pub fn set_status(current: ProjectStatus, next: ProjectStatus) -> Result<ProjectStatus, ApiError> {
    use ProjectStatus::*;
    match (current, next) {
        (Planned, Active | Cancelled) | (Active, Completed | Cancelled) | (Completed, Active) => {
            Ok(next)
        }
        _ => Err(ApiError::bad_input(
            "status",
            format!(
                "a {} project cannot become {}",
                current.as_str(),
                next.as_str()
            ),
        )),
    }
}

/// Goals are added while the project runs or is planned.
pub fn accepts_goals(status: ProjectStatus) -> Result<(), ApiError> {
    match status {
        ProjectStatus::Planned | ProjectStatus::Active => Ok(()),
        other => Err(ApiError::bad_input(
            "projectId",
            format!("a {} project takes no new goals", other.as_str()),
        )),
    }
}

/// A goal's status is set by hand (reaching the target changes nothing by
/// itself); setting the status it already has is refused as a no-op.
pub fn set_goal_status(current: GoalStatus, next: GoalStatus) -> Result<GoalStatus, ApiError> {
    if current == next {
        Err(ApiError::bad_input(
            "status",
            format!("the goal is already {}", next.as_str()),
        ))
    } else {
        Ok(next)
    }
}

/// What a new goal is, once its input is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalShape {
    pub measure: Option<GoalMeasure>,
    pub target_e4: Option<i64>,
    pub unit: Option<String>,
}

/// A QUANTITATIVE goal has a target above zero and a measure (TOTAL when
/// not given); a QUALITATIVE one has neither, nor a unit.
pub fn goal_shape(
    kind: GoalKind,
    measure: Option<GoalMeasure>,
    target_e4: Option<i64>,
    unit: Option<String>,
) -> Result<GoalShape, ApiError> {
    match kind {
        GoalKind::Quantitative => match target_e4 {
            Some(t) if t > 0 => Ok(GoalShape {
                measure: Some(measure.unwrap_or(GoalMeasure::Total)),
                target_e4: Some(t),
                unit,
            }),
            _ => Err(ApiError::bad_input(
                "target",
                "a QUANTITATIVE goal needs a `target` above 0",
            )),
        },
        GoalKind::Qualitative => {
            let stray = [
                ("target", target_e4.is_some()),
                ("unit", unit.is_some()),
                ("measure", measure.is_some()),
            ];
            match stray.iter().find(|(_, given)| *given) {
                Some((field, _)) => Err(ApiError::bad_input(
                    *field,
                    format!("a QUALITATIVE goal has no `{field}`"),
                )),
                None => Ok(GoalShape {
                    measure: None,
                    target_e4: None,
                    unit: None,
                }),
            }
        }
    }
}

/// An ATTENDANCE goal is QUANTITATIVE, a rate (a LEVEL reading) with a
/// target in (0, 1].
pub fn attendance_shape(
    kind: GoalKind,
    measure: Option<GoalMeasure>,
    target_e4: Option<i64>,
) -> Result<(), ApiError> {
    if kind != GoalKind::Quantitative || measure != Some(GoalMeasure::Level) {
        return Err(ApiError::bad_input(
            "measure",
            "ATTENDANCE measures a QUANTITATIVE goal",
        ));
    }
    match target_e4 {
        Some(t) if t > 0 && t <= 10_000 => Ok(()),
        _ => Err(ApiError::bad_input(
            "target",
            "an attendance target is a rate above 0 and at most 1 (0.7 for 70%)",
        )),
    }
}

/// A DISCLOSURE_REQUESTS goal is QUANTITATIVE: a count, summed (TOTAL).
pub fn requests_shape(kind: GoalKind) -> Result<(), ApiError> {
    if kind != GoalKind::Quantitative {
        return Err(ApiError::bad_input(
            "measure",
            "DISCLOSURE_REQUESTS measures a QUANTITATIVE goal",
        ));
    }
    Ok(())
}

/// Progress a goal accepts: none for a qualitative goal; a non-zero
/// amount for a running total (a negative one corrects); a reading of at
/// least zero for a level.
pub fn check_progress(measure: Option<GoalMeasure>, amount_e4: i64) -> Result<(), ApiError> {
    match measure {
        None => Err(ApiError::bad_input(
            "goalId",
            "a QUALITATIVE goal records no progress; set its status instead",
        )),
        Some(GoalMeasure::Total) if amount_e4 == 0 => Err(ApiError::bad_input(
            "amount",
            "`amount` must not be 0 (a negative amount corrects an earlier one)",
        )),
        Some(GoalMeasure::Level) if amount_e4 < 0 => Err(ApiError::bad_input(
            "amount",
            "a reading (`amount` of a LEVEL goal) cannot be negative",
        )),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProjectStatus as P;

    #[test]
    fn every_project_status_change() {
        let allowed = [
            (P::Planned, P::Active),
            (P::Planned, P::Cancelled),
            (P::Active, P::Completed),
            (P::Active, P::Cancelled),
            (P::Completed, P::Active),
        ];
        for &from in P::ALL {
            for &to in P::ALL {
                let got = set_status(from, to).map_err(|e| e.code());
                if allowed.contains(&(from, to)) {
                    assert_eq!(got, Ok(to), "{from:?} -> {to:?}");
                } else {
                    assert_eq!(got, Err("BAD_USER_INPUT"), "{from:?} -> {to:?}");
                }
            }
        }
    }

    #[test]
    fn goals_only_while_planned_or_active() {
        for &s in P::ALL {
            let open = matches!(s, P::Planned | P::Active);
            assert_eq!(accepts_goals(s).is_ok(), open, "{s:?}");
        }
    }

    #[test]
    fn every_goal_status_change_but_the_same() {
        for &from in GoalStatus::ALL {
            for &to in GoalStatus::ALL {
                assert_eq!(set_goal_status(from, to).is_ok(), from != to);
            }
        }
    }

    #[test]
    fn goal_shapes() {
        let q = GoalKind::Quantitative;
        let shape = goal_shape(q, None, Some(10_000), Some("건".into())).unwrap();
        assert_eq!(shape.measure, Some(GoalMeasure::Total));
        let level = goal_shape(q, Some(GoalMeasure::Level), Some(1), None).unwrap();
        assert_eq!(level.measure, Some(GoalMeasure::Level));
        for bad in [None, Some(0), Some(-5)] {
            assert_eq!(
                goal_shape(q, None, bad, None).unwrap_err().code(),
                "BAD_USER_INPUT"
            );
        }
        let ql = GoalKind::Qualitative;
        assert_eq!(
            goal_shape(ql, None, None, None).unwrap(),
            GoalShape {
                measure: None,
                target_e4: None,
                unit: None
            }
        );
        for (m, t, u) in [
            (Some(GoalMeasure::Total), None, None),
            (None, Some(1), None),
            (None, None, Some("명".to_owned())),
        ] {
            assert!(goal_shape(ql, m, t, u).is_err());
        }
    }

    #[test]
    fn progress_by_measure() {
        assert!(check_progress(None, 5).is_err());
        assert!(check_progress(Some(GoalMeasure::Total), 0).is_err());
        assert!(check_progress(Some(GoalMeasure::Total), -3).is_ok());
        assert!(check_progress(Some(GoalMeasure::Total), 3).is_ok());
        assert!(check_progress(Some(GoalMeasure::Level), 0).is_ok());
        assert!(check_progress(Some(GoalMeasure::Level), -1).is_err());
    }
}
