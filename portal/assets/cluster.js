// cluster.js: the cluster status table of the admin view (GET /v1/cluster).

import { call } from './api.js';
import { busy, byId, el, say, table } from './ui.js';

const yes = (v) => (v ? 'Yes' : 'No');

/** ClusterStatus renders the nodes of the cluster into host. */
export class ClusterStatus {
  constructor(ctx) {
    this.ctx = ctx;
    this.host = byId('cluster');
    const refresh = byId('cluster-refresh');
    refresh.addEventListener('click', () => busy(refresh, () => this.load(true)));
  }

  /** load fetches the status; a node without the endpoint gets a clear note. */
  async load(announce = false) {
    let data;
    try {
      data = await call(this.ctx.token(), 'GET', '/v1/cluster');
    } catch (err) {
      if (err.status === 401) {
        this.ctx.fail(err);
        return;
      }
      const text = err.status === 404
        ? 'Cluster status is not available on this server version. Use "tekstore cluster status" on the command line.'
        : 'Cluster status could not be loaded: ' + err.message;
      this.host.replaceChildren(el('p', { className: 'notice', id: 'cluster-message' }, text));
      return;
    }
    this.render(data);
    if (announce) {
      say('Cluster status updated.');
    }
  }

  clear() {
    this.host.replaceChildren();
  }

  render(data) {
    const nodes = (data.nodes || []).slice().sort((a, b) => String(a.id).localeCompare(String(b.id)));
    if (nodes.length === 0) {
      this.host.replaceChildren(el('p', { className: 'empty', id: 'cluster-message' }, 'No nodes reported.'));
      return;
    }
    const rows = nodes.map((n) => {
      const role = n.id === data.leader
        ? el('span', { className: 'badge leader' }, 'Leader')
        : el('span', {}, n.state || '');
      const alive = el('span', { className: 'badge ' + (n.alive ? 'active' : 'down') }, yes(n.alive));
      return el('tr', { dataset: { id: n.id } },
        el('td', {}, n.id), el('td', {}, n.dc || ''), el('td', {}, role), el('td', {}, yes(n.voter)),
        el('td', {}, alive), el('td', {}, String(n.appliedIndex ?? '')), el('td', {}, String(n.lastContact ?? '')),
        el('td', { className: 'ref' }, n.httpAddr || ''));
    });
    const summary = el('p', {}, data.leader ? 'Leader: ' + data.leader + '.' : 'There is no leader right now: changes are paused.');
    this.host.replaceChildren(summary, table('Cluster nodes',
      ['Node', 'Data center', 'Role', 'Voter', 'Reachable', 'Applied index', 'Last contact', 'Address'], rows));
  }
}
