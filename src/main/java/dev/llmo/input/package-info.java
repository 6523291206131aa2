/**
 * What a user hands llmo besides the prompt: files, URLs and stdin read for attachments ({@code -a}) and fragments
 * ({@code -f}), with bounded size and time, so a huge file or a slow server cannot hang or exhaust llmo.
 */
package dev.llmo.input;
