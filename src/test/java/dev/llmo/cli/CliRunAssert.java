package dev.llmo.cli;

import dev.llmo.failure.ExitCode;
import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.AbstractStringAssert;
import org.assertj.core.api.Assertions;

/**
 * Assertions on what one {@link CliRun} did, in the style of jbang's {@code CommandResultAssert}:
 * {@code assertThat(result).succeeded().outContains("Hello").errIsEmpty()} or
 * {@code assertThat(result).failedWith(ExitCode.USAGE).errContains("--limit")}. Every failure message shows the
 * command line, the exit code and both streams, so that a wrong exit code says why at once.
 */
public final class CliRunAssert extends AbstractAssert<CliRunAssert, CliRun.Result> {
    private CliRunAssert(CliRun.Result actual) {
        super(actual, CliRunAssert.class);
    }

    /** Beside AssertJ's {@code assertThat}: a static import of both picks this one for a {@link CliRun.Result}. */
    public static CliRunAssert assertThat(CliRun.Result actual) {
        return new CliRunAssert(actual);
    }

    /** Exit 0. */
    public CliRunAssert succeeded() {
        return exitedWith(ExitCode.OK);
    }

    /** Exit {@code code}, which is not {@link ExitCode#OK}: use {@link #succeeded()} for that. */
    public CliRunAssert failedWith(ExitCode code) {
        if (code == ExitCode.OK) {
            throw new IllegalArgumentException("failedWith(OK): use succeeded()");
        }
        return exitedWith(code);
    }

    private CliRunAssert exitedWith(ExitCode code) {
        isNotNull();
        if (actual.exitCode() != code.code()) {
            failWithActualExpectedAndMessage(actual.exitCode(), code.code(), "expected exit %s (%s) but was %s%n%s",
                    code.code(), code, actual.exitCode(), shown());
        }
        return this;
    }

    /** Stdout has each of {@code values}. */
    public CliRunAssert outContains(CharSequence... values) {
        out().contains(values);
        return this;
    }

    /** Stderr has each of {@code values}. */
    public CliRunAssert errContains(CharSequence... values) {
        err().contains(values);
        return this;
    }

    /** Stdout has none of {@code values}. */
    public CliRunAssert outDoesNotContain(CharSequence... values) {
        out().doesNotContain(values);
        return this;
    }

    /** Stderr has none of {@code values}. */
    public CliRunAssert errDoesNotContain(CharSequence... values) {
        err().doesNotContain(values);
        return this;
    }

    /** Stdout is exactly {@code expected}. */
    public CliRunAssert outIs(String expected) {
        out().isEqualTo(expected);
        return this;
    }

    /** Stderr is exactly {@code expected}. */
    public CliRunAssert errIs(String expected) {
        err().isEqualTo(expected);
        return this;
    }

    public CliRunAssert outIsEmpty() {
        out().isEmpty();
        return this;
    }

    public CliRunAssert errIsEmpty() {
        err().isEmpty();
        return this;
    }

    /** Stdout, for any other string assertion; its failure message shows the run as well. */
    public AbstractStringAssert<?> out() {
        isNotNull();
        return Assertions.assertThat(actual.out()).as("stdout of %s", shown());
    }

    /** Stderr, for any other string assertion; its failure message shows the run as well. */
    public AbstractStringAssert<?> err() {
        isNotNull();
        return Assertions.assertThat(actual.err()).as("stderr of %s", shown());
    }

    private String shown() {
        return "llmo " + String.join(" ", actual.args()) + " (exit " + actual.exitCode() + ")"
                + "\n--- stdout ---\n" + actual.out() + "\n--- stderr ---\n" + actual.err() + "\n--- end ---";
    }
}
