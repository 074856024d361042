// admin.js: the administrator's view: add, suspend and resume care
// providers, roll back a provider's uploads over a time window, every
// upload, and the cluster status.

import { call } from './api.js';
import { ClusterStatus } from './cluster.js';
import { SubmissionList } from './submissions.js';
import { ask, busy, byId, copyText, el, formatTime, say, table } from './ui.js';

/** isoFromLocal turns a datetime-local value into RFC 3339 UTC. */
function isoFromLocal(value) {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) {
    return '';
  }
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** AdminView wires the administrator's forms; ctx is the signed-in session. */
export class AdminView {
  constructor(ctx) {
    this.ctx = ctx;
    this.host = byId('providers');
    this.cluster = new ClusterStatus(ctx);
    this.names = new Map();
    this.subs = new SubmissionList(ctx, byId('all-subs'), byId('all-subs-refresh'),
      { providerName: (id) => this.names.get(id) || id });
    byId('prov-add-form').addEventListener('submit', (e) => {
      e.preventDefault();
      busy(byId('prov-add-button'), () => this.add());
    });
    const refresh = byId('prov-refresh');
    refresh.addEventListener('click', () => busy(refresh, () => this.load(true)));
    byId('copy-token').addEventListener('click', async () => {
      const ok = await copyText(byId('new-token-value').textContent);
      say(ok ? 'Token copied.' : 'Copying did not work: please select the token and copy it by hand.', ok ? 'ok' : 'error');
    });
  }

  /** show opens the view and loads its lists. */
  async show() {
    byId('admin-view').hidden = false;
    await Promise.all([this.load().then(() => this.subs.load()), this.cluster.load()]);
  }

  /** hide closes the view and forgets everything shown, the new token first. */
  hide() {
    byId('admin-view').hidden = true;
    byId('new-token').hidden = true;
    byId('new-token-value').textContent = '';
    this.host.replaceChildren();
    this.names.clear();
    this.cluster.clear();
    this.subs.clear();
  }

  async load(announce = false) {
    let data;
    try {
      data = await call(this.ctx.token(), 'GET', '/v1/providers');
    } catch (err) {
      this.ctx.fail(err);
      return;
    }
    const providers = (data.providers || []).slice().sort((a, b) => String(a.name).localeCompare(String(b.name)));
    this.names = new Map(providers.map((p) => [p.id, p.name]));
    this.render(providers);
    if (announce) {
      say('List updated: ' + providers.length + (providers.length === 1 ? ' provider.' : ' providers.'));
    }
  }

  render(providers) {
    if (providers.length === 0) {
      this.host.replaceChildren(el('p', { className: 'empty' }, 'No care providers yet. Add one above.'));
      return;
    }
    const rows = providers.map((p) => {
      const status = el('span', { className: 'badge ' + (p.suspended ? 'suspended' : 'active'),
        dataset: { state: p.suspended ? 'suspended' : 'active' } }, p.suspended ? 'Suspended' : 'Active');
      const toggle = el('button', { type: 'button', className: (p.suspended ? '' : 'secondary ') + 'small',
        'aria-label': (p.suspended ? 'Resume ' : 'Suspend ') + p.name }, p.suspended ? 'Resume' : 'Suspend');
      toggle.addEventListener('click', () => this.toggle(p, toggle));
      const rollback = el('button', { type: 'button', className: 'danger small', 'aria-label': 'Roll back uploads of ' + p.name },
        'Roll back uploads');
      rollback.addEventListener('click', () => this.rollback(p, rollback));
      return el('tr', { dataset: { id: p.id } },
        el('td', {}, p.name), el('td', {}, status), el('td', {}, p.quotaPerDay ? String(p.quotaPerDay) : 'No limit'),
        el('td', {}, formatTime(p.created)), el('td', { className: 'ref' }, p.id),
        el('td', { className: 'actions' }, toggle, ' ', rollback));
    });
    this.host.replaceChildren(table('Care providers', ['Name', 'Status', 'Codes per day', 'Added', 'Reference', 'Actions'], rows));
  }

  async add() {
    const nameInput = byId('prov-name');
    const name = nameInput.value.trim();
    if (!name) {
      say('Enter the provider\'s name.', 'error');
      nameInput.focus();
      return;
    }
    const quota = Number(byId('prov-quota').value || '0');
    if (!Number.isInteger(quota) || quota < 0) {
      say('Codes per day must be a whole number, 0 for no limit.', 'error');
      byId('prov-quota').focus();
      return;
    }
    let res;
    try {
      res = await call(this.ctx.token(), 'POST', '/v1/providers', { body: { name, quotaPerDay: quota } });
    } catch (err) {
      this.ctx.fail(err);
      return;
    }
    byId('new-token-name').textContent = name;
    byId('new-token-value').textContent = res.token;
    byId('new-token').hidden = false;
    nameInput.value = '';
    say('Provider ' + name + ' added. Copy its token now: it is shown only once.', 'ok');
    await this.load();
    byId('copy-token').focus();
  }

  async toggle(p, button) {
    const suspend = !p.suspended;
    if (suspend) {
      const answer = await ask({
        title: 'Suspend ' + p.name + '?',
        text: 'Its access token and all its unused codes stop working at once. Uploads already made stay. You can resume it later.',
        confirm: 'Suspend provider',
      });
      if (!answer) {
        say('Nothing was changed.');
        return;
      }
    }
    await busy(button, async () => {
      try {
        await call(this.ctx.token(), 'POST', '/v1/providers/' + encodeURIComponent(p.id) + (suspend ? '/suspend' : '/resume'));
      } catch (err) {
        this.ctx.fail(err);
        return;
      }
      say(p.name + (suspend ? ' is suspended.' : ' is active again.'), 'ok');
      await this.load();
      this.host.focus();
    });
  }

  async rollback(p, button) {
    const answer = await ask({
      title: 'Roll back uploads of ' + p.name + '?',
      text: 'Every upload made with this provider\'s codes in the time window is rolled back: its keys are withdrawn ' +
        'from the public list. Use this after a lab error or a lost stack of cards. This cannot be undone.',
      confirm: 'Roll back uploads',
      fields: [
        { id: 'window-since', label: 'From (date and time)', type: 'datetime-local', required: true },
        { id: 'window-until', label: 'Until (optional; empty means now)', type: 'datetime-local' },
      ],
    });
    if (!answer) {
      say('Nothing was rolled back.');
      return;
    }
    const since = isoFromLocal(answer['window-since']);
    const until = answer['window-until'] ? isoFromLocal(answer['window-until']) : '';
    if (!since || (answer['window-until'] && !until)) {
      say('Enter the dates as day, month, year and time.', 'error');
      return;
    }
    if (until && until <= since) {
      say('"Until" must be later than "From". Nothing was rolled back.', 'error');
      return;
    }
    const body = { since };
    if (until) {
      body.until = until;
    }
    await busy(button, async () => {
      let res;
      try {
        res = await call(this.ctx.token(), 'POST', '/v1/providers/' + encodeURIComponent(p.id) + '/rollback', { body });
      } catch (err) {
        this.ctx.fail(err);
        return;
      }
      const n = Array.isArray(res.submissions) ? res.submissions.length : Number(res.submissions || 0);
      say('Rolled back ' + n + (n === 1 ? ' upload' : ' uploads') + ' of ' + p.name + ': ' + res.revoked + ' keys withdrawn.', 'ok');
      await this.subs.load();
    });
  }
}
