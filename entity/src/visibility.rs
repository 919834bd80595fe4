use sea_orm::entity::prelude::*;

text_enum! {
    /// Who may see a project, event or solidarity action besides its own
    /// organization (the policy's `sharing` turns this into SQL).
    pub enum Visibility {
        /// The owning organization (and a project's participants).
        Private = "PRIVATE",
        /// Also the owner's partners for the item's scope.
        Partners = "PARTNERS",
        /// Anyone, anonymous callers included.
        Public = "PUBLIC",
    }
}
