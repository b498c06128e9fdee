// Starts GraphiQL against this server: queries and mutations over HTTP, subscriptions over
// graphql-transport-ws. Headers typed in the Headers tab (Authorization: Bearer …) go with
// both; they are not kept in the browser's storage.
"use strict";

(function start() {
  const socket = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/graphql";
  const fetcher = GraphiQL.createFetcher({ url: "/graphql", subscriptionUrl: socket });
  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultEditorToolsVisibility: "headers",
      shouldPersistHeaders: false,
      defaultQuery: "# Sign in with `login` or `register`, then put\n" +
        "#   { \"Authorization\": \"Bearer <accessToken>\" }\n" +
        "# in the Headers tab below.\n" +
        "{\n  rituals(first: 3) {\n    edges { node { key title durationMinutes } }\n  }\n}\n",
    }),
  );
})();
