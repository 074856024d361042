// provider.js: the care provider's view: one code for a patient now, a PDF
// stack of cards, and the uploads made with the provider's codes.

import { call } from './api.js';
import { SubmissionList } from './submissions.js';
import { busy, byId, copyText, formatTime, say } from './ui.js';

/** ProviderView wires the provider's forms; ctx is the signed-in session. */
export class ProviderView {
  constructor(ctx) {
    this.ctx = ctx;
    this.pdfURL = '';
    this.subs = new SubmissionList(ctx, byId('subs'), byId('subs-refresh'));
    byId('issue-one-form').addEventListener('submit', (e) => {
      e.preventDefault();
      busy(byId('issue-one-button'), () => this.issueOne());
    });
    byId('issue-stack-form').addEventListener('submit', (e) => {
      e.preventDefault();
      busy(byId('issue-stack-button'), () => this.issueStack());
    });
    byId('copy-code').addEventListener('click', async () => {
      const ok = await copyText(byId('issued-code').textContent);
      say(ok ? 'Code copied.' : 'Copying did not work: please select the code and copy it by hand.', ok ? 'ok' : 'error');
    });
  }

  /** show opens the view and loads the uploads. */
  async show() {
    byId('provider-view').hidden = false;
    await this.subs.load();
  }

  /** hide closes the view and forgets every code and upload shown. */
  hide() {
    byId('provider-view').hidden = true;
    byId('one-result').hidden = true;
    byId('issued-code').textContent = '';
    byId('issued-expiry').textContent = '';
    byId('stack-result').hidden = true;
    this.dropPDF();
    this.subs.clear();
  }

  async issueOne() {
    const body = { count: 1, ttl: byId('one-ttl').value, reportType: byId('one-report').value };
    const onset = byId('one-onset').value;
    if (onset) {
      body.onset = onset;
    }
    let res;
    try {
      res = await call(this.ctx.token(), 'POST', '/v1/authorizations', { body });
    } catch (err) {
      this.ctx.fail(err);
      return;
    }
    const code = res.codes[0];
    byId('issued-code').textContent = code.code;
    byId('issued-expiry').textContent = formatTime(code.expiresAt);
    byId('one-result').hidden = false;
    byId('one-onset').value = '';
    say('New code ready: ' + code.code.split('').join(' ') + '. It works until ' + formatTime(code.expiresAt) + '.', 'ok');
  }

  async issueStack() {
    const input = byId('stack-count');
    const count = Number(input.value);
    if (!Number.isInteger(count) || count < 1 || count > 1000) {
      say('Choose a number of cards from 1 to 1000.', 'error');
      input.focus();
      return;
    }
    let blob;
    try {
      blob = await call(this.ctx.token(), 'POST', '/v1/authorizations', {
        body: { count, ttl: byId('stack-ttl').value, reportType: byId('stack-report').value },
        accept: 'application/pdf',
      });
    } catch (err) {
      this.ctx.fail(err);
      return;
    }
    this.dropPDF();
    this.pdfURL = URL.createObjectURL(blob);
    const link = byId('stack-link');
    link.href = this.pdfURL;
    link.type = blob.type;
    const kb = Math.max(1, Math.round(blob.size / 1024));
    link.textContent = 'Download ' + count + (count === 1 ? ' card' : ' cards') + ' (PDF, ' + kb + ' kB)';
    byId('stack-result').hidden = false;
    say('The PDF with ' + count + (count === 1 ? ' card' : ' cards') + ' is ready. Use the download link if it did not open by itself.', 'ok');
    link.click();
  }

  dropPDF() {
    if (this.pdfURL) {
      URL.revokeObjectURL(this.pdfURL);
      this.pdfURL = '';
    }
    byId('stack-link').href = '#';
  }
}
