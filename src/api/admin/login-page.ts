/**
 * The page a browser gets from the queue view without a session: a plain form (no script) that
 * posts the token to `POST /v1/admin/session`, which sets the session cookie and redirects back.
 */
export function loginPage(returnTo: string): string {
  const escaped = returnTo.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="robots" content="noindex"><title>evalpool admin</title>
<style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem}input{width:100%;padding:.5rem;margin:.5rem 0;box-sizing:border-box}button{padding:.5rem 1rem}</style></head>
<body>
<h1>evalpool queues</h1>
<p>The queue view needs the admin token (<code>EVALPOOL_ADMIN_TOKEN</code>).</p>
<form method="post" action="/v1/admin/session">
<label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="return_to" value="${escaped}">
<button type="submit">Open the queue view</button>
</form>
</body>
</html>
`;
}
