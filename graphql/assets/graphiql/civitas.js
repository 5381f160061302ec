// Starts GraphiQL against the endpoint that served this page (so it works behind a path prefix
// too). Kept out of the page so that the Content-Security-Policy needs no inline script.
(function () {
  var endpoint = window.location.pathname;
  var fetcher = GraphiQL.createFetcher({ url: endpoint });
  var defaultQuery = [
    '# Civitas GraphQL. Public data needs no token; for more, add a header',
    '# {"Authorization": "Bearer <token>"} below (civitas token issue prints one).',
    '{',
    '  districts {',
    '    id',
    '    code',
    '    name',
    '  }',
    '}',
    ''
  ].join('\n');
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: defaultQuery,
    defaultEditorToolsVisibility: true
  }));
})();
