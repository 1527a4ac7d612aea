// Lifeline's own file: marks the page as scripted so GOV.UK Frontend's
// enhanced styles apply (kept out of the page so the CSP can forbid inline
// scripts).
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
