import { isCommandError } from "./api";

/// Builds an element with properties and children; the UI uses no inline HTML (strict CSP).
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, unknown> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node: HTMLElementTagNameMap[K] = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

export function errorText(error: unknown): string {
  return isCommandError(error) ? error.message : String(error);
}
