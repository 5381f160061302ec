//! The Civitas GraphQL API and its HTTP server.
