import type { LiveAccount } from '../state/emulator-state.model';
import { escapeHtml } from '../xml/xml-escape.util';

/** What the sign-in page shows. */
export interface LoginPageModel {
  siteId: string;
  returnUrl: string;
  accounts: LiveAccount[];
  error?: string;
  typed?: string;
}

/** The RPS sign-in page: plain, accessible HTML (labels, a fieldset, a "Sign in" button). */
export function loginPageHtml(model: LoginPageModel): string {
  const options = model.accounts
    .map(
      (a, i) =>
        `      <div><input type="radio" id="account-${i}" name="account" value="${escapeHtml(a.liveId)}"${i === 0 && !model.typed ? ' checked' : ''}>` +
        ` <label for="account-${i}">${escapeHtml(`${a.firstName} ${a.lastName}`)} (${escapeHtml(a.liveId)})</label></div>`,
    )
    .join('\n');
  const error = model.error ? `    <p role="alert" id="error">${escapeHtml(model.error)}</p>\n` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in with Windows Live ID (emulator)</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}fieldset{margin:1rem 0}div{margin:.25rem 0}[role=alert]{color:#a00}</style>
</head>
<body>
<main>
  <h1>Sign in with your Windows Live ID</h1>
${error}  <form method="post" action="/rps/login">
    <input type="hidden" name="siteId" value="${escapeHtml(model.siteId)}">
    <input type="hidden" name="returnUrl" value="${escapeHtml(model.returnUrl)}">
    <fieldset>
      <legend>Pick an account</legend>
${options}
    </fieldset>
    <p>
      <label for="liveId">Or type a Windows Live ID</label>
      <input type="text" id="liveId" name="liveId" autocomplete="username" value="${escapeHtml(model.typed ?? '')}"${model.error ? ' aria-describedby="error"' : ''}>
    </p>
    <button type="submit" name="signIn">Sign in</button>
  </form>
</main>
</body>
</html>
`;
}
