import { SettlementAbi, ZkSettlementAbi } from './generated/contracts';

type SettlementError = Extract<(typeof SettlementAbi)[number], { type: 'error' }>;

/**
 * ZkSettlement's ABI plus the Settlement's errors: settleZk hands the requests it settles to the
 * Settlement (onZkProven), whose refusals (Settlement_NotOpen, Settlement_ZkRequestMismatch, ...)
 * revert the whole call. With this ABI a refused settleZk decodes to its reason, whichever
 * contract gave it.
 */
export const ZkSettlementCallAbi = [
  ...ZkSettlementAbi,
  ...SettlementAbi.filter((item): item is SettlementError => item.type === 'error'),
] as const;
