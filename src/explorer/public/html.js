// @ts-check
/**
 * Preact with htm's tagged templates (no JSX, no build step). Every interpolated value becomes a
 * text node or a DOM property, never markup: the explorer has no dangerouslySetInnerHTML.
 */
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
