//! Counting the SQL statements the server runs (both pools, through the
//! driver's metric callback set up in [`super::TestApp::spawn_with`]).

use serde_json::{Value, json};

use super::{Gql, TestApp};

impl TestApp {
    /// Statements run since the last call (resets the counter).
    pub fn take_statement_count(&self) -> usize {
        self.take_statements().len()
    }

    /// The statements run since the last call, as SQL (resets the log).
    pub fn take_statements(&self) -> Vec<String> {
        std::mem::take(&mut *self.statements.lock().expect("statement log"))
    }

    /// The statements one run of a read-only `query` costs: the fewest of
    /// five runs. DataLoader batches are collected over a short window, so
    /// on a busy machine a batch may split; splitting only ever adds
    /// statements, and the fewest is the query's real shape.
    pub async fn statements_for(&self, token: Option<&str>, query: &str) -> (usize, Gql) {
        self.statements_with(token, query, json!({})).await
    }

    /// [`Self::statements_for`] with variables.
    pub async fn statements_with(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (usize, Gql) {
        let mut best = usize::MAX;
        let mut last = None;
        for _ in 0..5 {
            self.take_statement_count();
            let r = self.gql(token, query, variables.clone()).await;
            best = best.min(self.take_statement_count());
            last = Some(r);
        }
        (best, last.expect("five runs"))
    }
}
