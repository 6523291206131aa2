/**
 * What every terminal-facing part of the CLI shares and needs nothing else of it: error lines, text made safe for
 * a terminal, and signal handling. Below both {@code cli} and {@code cli.repl}, so neither depends on the other
 * through these.
 */
package dev.llmo.cli.terminal;
