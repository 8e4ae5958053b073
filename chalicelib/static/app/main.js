// Paydrop staff dashboard: plain ES modules, no framework, no build step.
// main.js boots the page and maps routes to screens; lib/ holds the API client and helpers,
// screens/ one module per screen. Everything goes through the staff API (/api/v1).

import { tokens } from './lib/api.js';
import { route, setRoutes } from './lib/router.js';
import { setUpLogin, showLogin, startSession } from './lib/session.js';
import { clientScreen, clientsScreen } from './screens/clients.js';
import { documentScreen, documentsScreen } from './screens/documents.js';
import { paymentsScreen } from './screens/payments.js';
import { productsScreen } from './screens/products.js';
import { projectScreen, projectsScreen } from './screens/projects.js';
import { resourceScreen } from './screens/resource.js';
import { resourcesScreen } from './screens/resources.js';
import { settingsScreen } from './screens/settings.js';

setRoutes([
  [/^#\/invoices$/, () => documentsScreen('invoice')],
  [/^#\/invoices\/new$/, () => documentScreen('invoice', null)],
  [/^#\/invoices\/([\w-]+)$/, (id) => documentScreen('invoice', id)],
  [/^#\/quotes$/, () => documentsScreen('quote')],
  [/^#\/quotes\/new$/, () => documentScreen('quote', null)],
  [/^#\/quotes\/([\w-]+)$/, (id) => documentScreen('quote', id)],
  [/^#\/clients$/, () => clientsScreen()],
  [/^#\/clients\/([\w-]+)$/, (id) => clientScreen(id)],
  [/^#\/products$/, () => productsScreen()],
  [/^#\/resources$/, () => resourcesScreen()],
  [/^#\/resources\/([\w-]+)$/, (id) => resourceScreen(id)],
  [/^#\/payments$/, () => paymentsScreen()],
  [/^#\/settings$/, () => settingsScreen()],
  [/^#\/projects$/, () => projectsScreen()],
  [/^#\/projects\/([\w-]+)$/, (id) => projectScreen(id)],
]);

async function boot() {
  setUpLogin();
  window.addEventListener('hashchange', route);
  if (tokens.get()?.id_token) {
    try {
      await startSession();
      return;
    } catch {
      tokens.clear();
    }
  }
  showLogin();
}

boot();
