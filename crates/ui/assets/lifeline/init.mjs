// Lifeline's own file: starts GOV.UK Frontend's components.
import { initAll } from '/assets/govuk-frontend.min.js'
initAll()
