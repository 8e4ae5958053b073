// Paydrop staff dashboard: plain ES modules, no framework, no build step.
// main.js boots the page and maps routes to screens; lib/ holds the API client and helpers,
// screens/ one module per screen. Everything goes through the staff API (/api/v1).

import { tokens } from './lib/api.js';
import { route, setRoutes } from './lib/router.js';
import { setUpLogin, showLogin, startSession } from './lib/session.js';
import { approvalScreen, approvalsScreen } from './screens/approvals.js';
import { clientScreen, clientsScreen } from './screens/clients.js';
import { documentScreen, documentsScreen } from './screens/documents.js';
import { notificationsScreen, refreshBell, startBell } from './screens/notifications.js';
import { emailPreviewsScreen } from './screens/email_previews.js';
import { paymentsScreen } from './screens/payments.js';
import { productsScreen } from './screens/products.js';
import { recurringListScreen, recurringScreen } from './screens/recurring.js';
import { projectScreen, projectsScreen } from './screens/projects.js';
import { resourceScreen } from './screens/resource.js';
import { resourcesScreen } from './screens/resources.js';
import { settingsScreen } from './screens/settings.js';
import { conversationScreen, inboxScreen, refreshUnread } from './screens/inbox.js';
import { subscriptionScreen, subscriptionsScreen } from './screens/subscriptions.js';
import { buyLinksScreen } from './screens/buy_links.js';
import { developersScreen } from './screens/developers.js';

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
  [/^#\/approvals$/, () => approvalsScreen()],
  [/^#\/approvals\/([\w-]+)$/, (id) => approvalScreen(id)],
  [/^#\/recurring$/, () => recurringListScreen()],
  [/^#\/recurring\/([\w-]+)$/, (id) => recurringScreen(id)],
  [/^#\/notifications$/, () => notificationsScreen()],
  [/^#\/inbox$/, () => inboxScreen()],
  [/^#\/inbox\/([\w-]+)$/, (id) => conversationScreen(id)],
  [/^#\/emails$/, () => emailPreviewsScreen(null)],
  [/^#\/emails\/([\w-]+)$/, (kind) => emailPreviewsScreen(kind)],
  [/^#\/projects$/, () => projectsScreen()],
  [/^#\/projects\/([\w-]+)$/, (id) => projectScreen(id)],
  [/^#\/subscriptions$/, () => subscriptionsScreen()],
  [/^#\/subscriptions\/([\w-]+)$/, (id) => subscriptionScreen(id)],
  [/^#\/buy-links$/, () => buyLinksScreen()],
  [/^#\/developers$/, () => developersScreen()],
]);

async function boot() {
  setUpLogin();
  window.addEventListener('hashchange', route);
  startBell();
  if (tokens.get()?.id_token) {
    try {
      await startSession();
      refreshBell();
      refreshUnread(); // the Inbox's unread count in the nav
      return;
    } catch {
      tokens.clear();
    }
  }
  showLogin();
}

boot();
