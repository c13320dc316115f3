// @ts-check
/** The disputes over an optimistic inference's result: each move, both clocks, the outcome. */
import { duration, short, time } from './format.js';
import { html } from './html.js';
import { Row } from './widgets.js';

/**
 * @typedef {{ turn: string | null, turnStartedAt: string | null, challengerUsedSeconds: number,
 *   defenderUsedSeconds: number, challengerRemainingSeconds: number, defenderRemainingSeconds: number,
 *   asOf: string }} Clocks
 * @typedef {{ name: string, side: string | null, by: string | null, blockNumber: string, txHash: string,
 *   at: string, detail: string }} Move
 */

const OUTCOMES = /** @type {Record<string, string>} */ ({
  OPEN: 'being played',
  DEFENDER_WON: 'the result stands (defender won)',
  CHALLENGER_WON: 'the result was refuted (challenger won)',
});

/** @param {{ disputes: any[], maxClockSeconds: number }} props */
export function Disputes({ disputes, maxClockSeconds }) {
  return html`
    <section aria-labelledby="disputes-title" class="disputes">
      <h3 id="disputes-title">Disputes</h3>
      ${
        disputes.length === 0
          ? html`<p class="muted">No dispute over this result.</p>`
          : disputes.map(
              (dispute) =>
                html`<${DisputeCard}
                  key=${dispute.id}
                  dispute=${dispute}
                  maxClockSeconds=${maxClockSeconds}
                />`,
            )
      }
    </section>
  `;
}

/**
 * "Dispute #3: being played", "Dispute #3: the result stands (defender won) by TIMEOUT".
 * @param {{ disputeId: string, status: string, reason: string | null }} dispute
 */
function title({ disputeId, status, reason }) {
  return `Dispute #${disputeId}: ${OUTCOMES[status] ?? status}${reason ? ` by ${reason}` : ''}`;
}

/** @param {{ defending: boolean, note: string | null }} dispute */
function defended({ defending, note }) {
  if (defending) return 'yes';
  return note ? `no: ${note}` : 'no';
}

/** @param {{ dispute: any, maxClockSeconds: number }} props */
function DisputeCard({ dispute, maxClockSeconds }) {
  return html`
    <div class="dispute" data-dispute-id=${dispute.disputeId}>
      <h4>${title(dispute)}</h4>
      <dl>
        <${Row} term="Challenger" mono>${dispute.challenger}<//>
        <${Row} term="Worker" mono>${dispute.worker}<//>
        <${Row} term="Opened">${time(dispute.openedAt)}<//>
        <${Row} term="Resolved">${dispute.resolvedAt ? time(dispute.resolvedAt) : null}<//>
        <${Row} term="Awaited move">${dispute.phase}<//>
        <${Row} term="Defended by this service">${defended(dispute)}<//>
        <${Row} term="Stake slashed (wei)">${dispute.slashedWei}<//>
      </dl>
      ${dispute.clocks ? html`<${ClockTable} clocks=${dispute.clocks} maxClockSeconds=${maxClockSeconds} />` : ''}
      <${MoveTable} moves=${dispute.history ?? []} />
    </div>
  `;
}

/** @param {{ clocks: Clocks, maxClockSeconds: number }} props */
function ClockTable({ clocks, maxClockSeconds }) {
  /** @param {string} side @param {number} used @param {number} remaining */
  const row = (side, used, remaining) => html`
    <tr class=${clocks.turn === side ? 'to-move' : ''}>
      <td>${side === 'CHALLENGER' ? 'Challenger' : 'Defender'}${clocks.turn === side ? ' (to move)' : ''}</td>
      <td>${duration(used)}</td>
      <td>${duration(remaining)}</td>
    </tr>
  `;
  return html`
    <table class="clocks">
      <caption>
        Clocks (${duration(maxClockSeconds)} each), as of the block at ${time(clocks.asOf)}
      </caption>
      <thead>
        <tr>
          <th>Side</th>
          <th>Used</th>
          <th>Left</th>
        </tr>
      </thead>
      <tbody>
        ${row('CHALLENGER', clocks.challengerUsedSeconds, clocks.challengerRemainingSeconds)}
        ${row('DEFENDER', clocks.defenderUsedSeconds, clocks.defenderRemainingSeconds)}
      </tbody>
    </table>
  `;
}

/** @param {{ moves: Move[] }} props */
function MoveTable({ moves }) {
  if (moves.length === 0) return html`<p class="muted">No move read from the chain.</p>`;
  return html`
    <table class="moves">
      <caption>
        Moves, as DisputeGame's events record them
      </caption>
      <thead>
        <tr>
          <th>#</th>
          <th>Time</th>
          <th>Block</th>
          <th>Move</th>
          <th>By</th>
          <th>What</th>
          <th>Transaction</th>
        </tr>
      </thead>
      <tbody>
        ${moves.map(
          (move, index) => html`
            <tr>
              <td>${index + 1}</td>
              <td>${time(move.at)}</td>
              <td>${move.blockNumber}</td>
              <td>${move.name}</td>
              <td>
                ${move.side ? move.side.toLowerCase() : ''}${move.by ? html` <span class="mono" title=${move.by}>${short(move.by)}</span>` : ''}
              </td>
              <td>${move.detail}</td>
              <td class="mono" title=${move.txHash}>${short(move.txHash)}</td>
            </tr>
          `,
        )}
      </tbody>
    </table>
  `;
}
