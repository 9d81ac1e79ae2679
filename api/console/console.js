// The SMA's mediation console: the public REST API only (the routes a mediator's token opens), no framework.
// A token lives in this tab's sessionStorage; every answer is rendered with textContent, never as HTML.

const $ = (selector) => document.querySelector(selector);
const TOKEN_KEY = 'escrow-console-token';
const DAY = 86_400_000;

const STATE_LABELS = {
  open: 'Ouvert (phase amiable)',
  escalated: 'Transmis au SMA',
  settled: "Réglé à l'amiable",
  decided: 'Décidé',
  withdrawn: 'Retiré',
};
const PARTY_LABELS = { client: 'Client', provider: 'Prestataire', mediator: 'Médiateur' };
const STATEMENT_KINDS = { opening: 'Déclaration du litige', response: 'Réponse', information_answer: "Réponse à une demande d'information" };
const EVENT_LABELS = {
  deposit_received: 'Dépôt reçu',
  funded: 'Échéance financée',
  work_delivered: 'Travail livré',
  released: 'Fonds libérés',
  payment_requested: 'Paiement demandé',
  payout_ordered: 'Virement ordonné',
  payout_failed: 'Virement en échec',
  paid: 'Prestataire payé',
  reminder_sent: 'Relance envoyée',
  client_silent: 'Client silencieux',
  dispute_opened: 'Litige déclaré',
  dispute_escalated: 'Litige transmis au SMA',
  dispute_withdrawn: 'Litige retiré',
  settlement_proposed: 'Proposition amiable',
  information_requested: "Demande d'information",
  information_provided: "Information fournie",
  information_window_expired: "Demande d'information expirée",
  dispute_decided: 'Décision du SMA',
  dispute_settled: 'Accord amiable',
  refund_ordered: 'Remboursement ordonné',
  refunded: 'Client remboursé',
  cancel_requested: 'Annulation demandée',
  cancelled: 'Échéance annulée',
  amount_changed: 'Montant modifié (avenant)',
  incident_opened: 'Incident de paiement',
  incident_closed: 'Incident de paiement clos',
};
const STATE_ORDER = { escalated: 0, open: 1, decided: 2, settled: 3, withdrawn: 4 };

const money = (minor, currency) => new Intl.NumberFormat('fr-FR', { style: 'currency', currency }).format(minor / 100);
const date = (iso) => new Intl.DateTimeFormat('fr-FR', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
const days = (iso) => Math.floor((Date.now() - new Date(iso).getTime()) / DAY);
const toMinor = (text) => Math.round(Number(text) * 100);
/** An Idempotency-Key; crypto.randomUUID exists only in secure contexts (HTTPS, localhost). */
const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(''));

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function say(text, ok = false) {
  const box = $('#message');
  box.className = ok ? 'ok' : '';
  box.textContent = text;
}

class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? `HTTP ${status}`);
    this.status = status;
  }
}

async function api(path, { method = 'GET', body, idempotencyKey } = {}) {
  const headers = { Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) ?? ''}`, Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const payload = res.status === 204 ? undefined : await res.json().catch(() => undefined);
  if (res.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    location.hash = '#/connexion';
  }
  if (!res.ok) throw new ApiError(res.status, payload);
  return payload;
}

function show(section) {
  for (const id of ['sign-in', 'queue', 'file']) $(`#${id}`).hidden = id !== section;
  $('#nav').hidden = section === 'sign-in';
  $('#main').focus();
}

// --- sign-in -----------------------------------------------------------------------------------------------------

$('#sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const token = $('#token').value.trim();
  if (!token) return say("Collez le jeton d'accès.");
  sessionStorage.setItem(TOKEN_KEY, token);
  try {
    await api('/v1/mediation/disputes?limit=1');
    say('');
    // the address may already be the queue's (opened at /console#/litiges): no hashchange would follow
    if (location.hash === '#/litiges') await route();
    else location.hash = '#/litiges';
  } catch (err) {
    sessionStorage.removeItem(TOKEN_KEY);
    say(err.status === 403 ? "Ce jeton n'est pas celui d'un médiateur." : `Connexion refusée : ${err.message}`);
  }
});

$('#sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  location.hash = '#/connexion';
});

// --- the queue ---------------------------------------------------------------------------------------------------

const projects = new Map();
/** A project as the API gives it (title, parties, milestones), read once per page load. */
function project(projectId) {
  if (!projects.has(projectId)) {
    const loading = api(`/v1/projects/${encodeURIComponent(projectId)}`);
    // a failure (a 429, an outage) is not kept: the next look asks again
    loading.catch(() => projects.delete(projectId));
    projects.set(projectId, loading);
  }
  return projects.get(projectId);
}
const milestoneTitle = (p, milestoneId) => p.milestones.find((m) => m.id === milestoneId)?.title ?? milestoneId;

let disputes = [];

async function loadQueue() {
  show('queue');
  const state = $('#filter-state').value;
  const { items } = await api(`/v1/mediation/disputes?limit=200${state ? `&state=${state}` : ''}`);
  disputes = items.sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || (a.escalatedAt ?? a.openedAt).localeCompare(b.escalatedAt ?? b.openedAt));
  await renderQueue();
}

async function renderQueue() {
  const minAge = Number($('#filter-age').value || 0);
  const minAmount = toMinor($('#filter-amount').value || 0);
  const shown = disputes.filter((d) => days(d.openedAt) >= minAge && d.inEscrow >= minAmount);
  const body = $('#queue-table tbody');
  body.replaceChildren();
  for (const d of shown) {
    const row = document.createElement('tr');
    const link = element('a', d.id);
    link.href = `#/litiges/${encodeURIComponent(d.id)}`;
    const first = document.createElement('td');
    first.append(link);
    const where = element('td', `${d.projectId} · ${d.milestoneId}`);
    row.append(
      first,
      where,
      element('td', STATE_LABELS[d.state], `state state-${d.state}`),
      element('td', `${days(d.openedAt)} j`),
      element('td', money(d.inEscrow, d.currency), 'money'),
      element('td', d.state === 'open' || d.state === 'escalated' ? date(d.responseDeadline) : '—'),
    );
    body.append(row);
    project(d.projectId).then(
      (p) => (where.textContent = `${p.title} · ${milestoneTitle(p, d.milestoneId)}`),
      () => undefined,
    );
  }
  $('#queue-count').textContent = `${shown.length} litige${shown.length > 1 ? 's' : ''} affiché${shown.length > 1 ? 's' : ''} sur ${disputes.length}`;
}

$('#filter-state').addEventListener('change', () => loadQueue().catch((err) => say(err.message)));
for (const id of ['#filter-age', '#filter-amount']) $(id).addEventListener('input', () => void renderQueue());
$('#filters').addEventListener('submit', (event) => event.preventDefault());

// --- a dispute's file --------------------------------------------------------------------------------------------

let current;

async function loadFile(disputeId) {
  show('file');
  const dispute = await api(`/v1/disputes/${encodeURIComponent(disputeId)}`);
  const [p, timeline] = await Promise.all([
    project(dispute.projectId),
    api(`/v1/projects/${encodeURIComponent(dispute.projectId)}/milestones/${encodeURIComponent(dispute.milestoneId)}/timeline`),
  ]);
  current = dispute;
  renderFile(dispute, p, timeline.events);
}

function renderFile(d, p, events) {
  $('#file-title').textContent = `Dossier ${d.id} — ${p.title}`;
  const facts = [
    ['Projet', `${p.title} (${p.id})`],
    ['Échéance', `${milestoneTitle(p, d.milestoneId)} (${d.milestoneId})`],
    ['Client', `${p.client.name} (${p.client.id})`],
    ['Prestataire', `${p.provider.name} (${p.provider.id})`],
    ['État', STATE_LABELS[d.state]],
    ['Motif', d.reason],
    ['Déclaré par', `${PARTY_LABELS[d.openedBy]}${d.openedAutomatically ? ' (automatiquement, client silencieux)' : ''}, le ${date(d.openedAt)}`],
    ['En séquestre', money(d.inEscrow, d.currency)],
    ['Réponse attendue de', `${PARTY_LABELS[d.respondent]}, avant le ${date(d.responseDeadline)}`],
  ];
  if (d.escalatedAt) facts.push(['Transmis au SMA', date(d.escalatedAt)]);
  if (d.decision) facts.push(['Décision', `${money(d.decision.providerAmount, d.currency)} au prestataire, ${money(d.decision.clientAmount, d.currency)} au client — ${d.decision.rationale}`]);
  if (d.settlement) facts.push(['Accord amiable', `${money(d.settlement.providerAmount, d.currency)} au prestataire, ${money(d.settlement.clientAmount, d.currency)} au client`]);
  $('#file-summary').replaceChildren(...facts.flatMap(([term, value]) => [element('dt', term), element('dd', value)]));

  const card = (meta, text) => {
    const item = element('li');
    item.append(element('p', meta, 'meta'));
    if (text !== undefined) item.append(element('blockquote', text));
    return item;
  };
  const none = (text) => element('li', text, 'meta');
  $('#file-statements').replaceChildren(...d.statements.map((s) => card(`${STATEMENT_KINDS[s.kind]} — ${PARTY_LABELS[s.by]} (${s.userId}), le ${date(s.at)}`, s.text)));
  $('#file-proposals').replaceChildren(
    ...(d.proposals.length ? d.proposals.map((x) => card(`${PARTY_LABELS[x.by]}, le ${date(x.at)} : ${money(x.providerAmount, d.currency)} au prestataire, ${money(x.clientAmount, d.currency)} au client — ${x.state === 'pending' ? 'en attente' : x.state === 'accepted' ? 'acceptée' : 'remplacée'}`)) : [none('Aucune proposition.')]),
  );
  $('#file-requests').replaceChildren(
    ...(d.informationRequests.length
      ? d.informationRequests.map((r) => card(`À ${PARTY_LABELS[r.party].toLowerCase()}, le ${date(r.at)}, réponse attendue avant le ${date(r.deadline)} — ${r.answeredAt ? `répondue le ${date(r.answeredAt)}` : r.expiredAt ? 'sans réponse, expirée' : 'en attente'}`, r.question))
      : [none("Aucune demande d'information.")]),
  );
  $('#file-reminders').replaceChildren(
    ...(d.reminders.length ? d.reminders.map((r) => element('li', `Relance n° ${r.n} à ${PARTY_LABELS[r.to].toLowerCase()} (${r.about === 'response' ? 'réponse au litige' : "demande d'information"}), le ${date(r.at)}`)) : [none('Aucune relance.')]),
  );
  $('#file-timeline').replaceChildren(...events.map((e) => {
    const item = element('li');
    item.append(element('span', `${date(e.at)} `, 'meta'), element('span', EVENT_LABELS[e.type] ?? e.type));
    return item;
  }));

  const open = d.state === 'open' || d.state === 'escalated';
  $('#actions').hidden = !open;
  $('#confirm').hidden = true;
  const split = $('#decide-split');
  split.max = String(d.inEscrow);
  split.value = String(Math.round(d.inEscrow / 2));
  syncFromSlider();
}

function syncFromSlider() {
  const providerAmount = Number($('#decide-split').value);
  $('#decide-provider').value = (providerAmount / 100).toFixed(2);
  $('#decide-client').value = ((current.inEscrow - providerAmount) / 100).toFixed(2);
  describeSplit();
}
function syncFrom(changed) {
  const other = changed === '#decide-provider' ? '#decide-client' : '#decide-provider';
  const amount = Math.min(current.inEscrow, Math.max(0, toMinor($(changed).value || 0)));
  $(other).value = ((current.inEscrow - amount) / 100).toFixed(2);
  $('#decide-split').value = String(changed === '#decide-provider' ? amount : current.inEscrow - amount);
  describeSplit();
}
function describeSplit() {
  const providerAmount = toMinor($('#decide-provider').value);
  $('#decide-split-text').textContent = `${money(providerAmount, current.currency)} au prestataire, ${money(current.inEscrow - providerAmount, current.currency)} au client, sur ${money(current.inEscrow, current.currency)} en séquestre.`;
  $('#decide-split').setAttribute('aria-valuetext', $('#decide-split-text').textContent);
}
$('#decide-split').addEventListener('input', syncFromSlider);
$('#decide-provider').addEventListener('input', () => syncFrom('#decide-provider'));
$('#decide-client').addEventListener('input', () => syncFrom('#decide-client'));

let pendingDecision;

$('#decide-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const providerAmount = toMinor($('#decide-provider').value);
  const clientAmount = toMinor($('#decide-client').value);
  const rationale = $('#decide-rationale').value.trim();
  if (providerAmount + clientAmount !== current.inEscrow) return say(`Les deux montants doivent faire ${money(current.inEscrow, current.currency)}, ce qui est en séquestre.`);
  if (!rationale) {
    $('#decide-rationale').focus();
    return say('La motivation de la décision est obligatoire.');
  }
  say('');
  // one key per confirmation: a double click or a retry after a timeout is the same decision
  pendingDecision = { body: { disputeId: current.id, providerAmount, clientAmount, rationale }, key: newKey() };
  $('#confirm-text').textContent = `Le prestataire reçoit ${money(providerAmount, current.currency)} (libérés à la place du client) ; le client est remboursé de ${money(clientAmount, current.currency)}. Motivation : « ${rationale} ». Cette décision est définitive.`;
  $('#confirm').hidden = false;
  $('#confirm').focus();
});

$('#confirm-no').addEventListener('click', () => {
  $('#confirm').hidden = true;
  pendingDecision = undefined;
  $('#decide-provider').focus();
});

$('#confirm-yes').addEventListener('click', async () => {
  if (!pendingDecision) return;
  const { body, key } = pendingDecision;
  try {
    await api(`/v1/disputes/${encodeURIComponent(body.disputeId)}/decision`, {
      method: 'POST',
      idempotencyKey: key,
      body: { providerAmount: body.providerAmount, clientAmount: body.clientAmount, rationale: body.rationale },
    });
    pendingDecision = undefined;
    await loadFile(body.disputeId);
    say('Décision enregistrée : les fonds sont libérés et remboursés, les deux parties sont prévenues.', true);
  } catch (err) {
    say(`Décision refusée : ${err.message}`);
  }
});

$('#ask-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const question = $('#ask-question').value.trim();
  if (!question) {
    $('#ask-question').focus();
    return say('Écrivez la question.');
  }
  const party = new FormData(event.target).get('party');
  try {
    await api(`/v1/disputes/${encodeURIComponent(current.id)}/information-requests`, { method: 'POST', idempotencyKey: newKey(), body: { party, question } });
    $('#ask-question').value = '';
    await loadFile(current.id);
    say(`Demande envoyée au ${PARTY_LABELS[party].toLowerCase()}.`, true);
  } catch (err) {
    say(`Demande refusée : ${err.message}`);
  }
});

// --- routing -----------------------------------------------------------------------------------------------------

async function route() {
  if (!sessionStorage.getItem(TOKEN_KEY)) return show('sign-in');
  const match = /^#\/litiges\/(.+)$/.exec(location.hash);
  try {
    if (match) await loadFile(decodeURIComponent(match[1]));
    else await loadQueue();
  } catch (err) {
    say(err.status === 404 ? 'Litige introuvable.' : err.message);
  }
}
window.addEventListener('hashchange', () => void route());
void route();
