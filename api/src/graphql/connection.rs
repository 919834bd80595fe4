//! Relay connection types: `edges`, `nodes`, `pageInfo` and a `totalCount`
//! computed only when selected. Paging itself is the service's
//! ([`service::paging`]).

use async_graphql::{Context, SimpleObject};
use service::paging::{Cursor, Page, PageArgs};

#[derive(SimpleObject, Debug, Clone)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

/// A connection field's paging arguments; a root list counts its total in
/// the page's own query when `totalCount` is selected.
pub fn args(
    ctx: &Context<'_>,
    first: Option<i32>,
    after: Option<String>,
) -> service::ApiResult<PageArgs> {
    let selected = ctx.look_ahead().field("totalCount").exists();
    Ok(PageArgs::new(first, after)?.counting(selected))
}

/// A node that knows its own cursor.
pub trait Node {
    fn cursor(&self) -> Cursor;
}

/// The `pageInfo` of a page of nodes.
pub fn page_info<T: Node>(page: &Page<T>) -> PageInfo {
    PageInfo {
        has_next_page: page.has_next_page,
        has_previous_page: page.has_previous_page,
        start_cursor: page.items.first().map(|n| n.cursor().encode()),
        end_cursor: page.items.last().map(|n| n.cursor().encode()),
    }
}

/// Declares `<Name>Connection` and `<Name>Edge` for a node type that wraps
/// an entity model (`Node(model)`): the model's time-ordered uuid `id` is the
/// cursor, so the node's [`Node`] impl is declared here too.
#[macro_export]
macro_rules! connection_type {
    ($connection:ident, $edge:ident, $node:ty) => {
        impl $crate::graphql::connection::Node for $node {
            fn cursor(&self) -> service::paging::Cursor {
                service::paging::Cursor(self.0.id)
            }
        }

        pub struct $connection {
            pub page: service::paging::Page<$node>,
            pub total: service::paging::TotalCount,
        }

        #[async_graphql::Object]
        impl $connection {
            async fn edges(&self) -> Vec<$edge> {
                use $crate::graphql::connection::Node as _;
                self.page
                    .items
                    .iter()
                    .map(|n| $edge {
                        cursor: n.cursor().encode(),
                        node: n.clone(),
                    })
                    .collect()
            }

            async fn nodes(&self) -> Vec<$node> {
                self.page.items.clone()
            }

            async fn page_info(&self) -> $crate::graphql::connection::PageInfo {
                $crate::graphql::connection::page_info(&self.page)
            }

            async fn total_count(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> $crate::graphql::Result<i32> {
                let core = &$crate::graphql::request_ctx(ctx)?.core;
                Ok(self.total.resolve(core).await?)
            }
        }

        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            pub cursor: String,
            pub node: $node,
        }

        impl $connection {
            pub fn from_listing<T>(
                listing: service::paging::Listing<T>,
                f: impl FnMut(T) -> $node,
            ) -> Self {
                let listing = listing.map(f);
                Self {
                    page: listing.page,
                    total: listing.total,
                }
            }
        }
    };
}
