package dev.llmo.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.config.ModelRef;
import dev.llmo.config.ModelSpec;
import dev.llmo.config.Origin;
import dev.llmo.config.ProviderConfig;
import dev.llmo.config.ProviderType;
import dev.llmo.core.RunResult;
import dev.llmo.eventlog.EventData;
import dev.llmo.eventlog.EventLog;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.InterruptedRunException;
import dev.llmo.message.Message;
import dev.llmo.message.Part;
import dev.llmo.message.Role;
import dev.llmo.message.Usage;
import dev.llmo.provider.StopReason;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a judge call leaves in the record, and what the report and a resume make of it. */
class BatchJudgesTest {
    private static final ModelRef JUDGE = new ModelRef(new ProviderConfig("mock", ProviderType.OPENAI,
            "http://localhost/v1", null, null, null, List.of(), null, Origin.of("test", "test")),
            ModelSpec.unlisted("judge", Origin.of("test", "test")));

    @TempDir
    Path dir;

    @Test
    void aJudgeCallCtrlCStoppedAfterItsUsageCameIsAMissingVerdictWhoseCostCounts() {
        BatchSpec spec = new BatchSpec("/rows.jsonl", "jsonl", "0".repeat(64), 2, List.of("mock/m"), "{{q}}", null,
                null, "{}", List.of("judge mock/judge Is it right?"), 1, "live");
        Path file;
        try (BatchRecord record = BatchRecord.create(dir, spec, null, "test", EventLog.Options.defaults())) {
            for (int row = 0; row < 2; row++) {
                record.row(new EventData.BatchRow(row, String.valueOf(row + 1), 0, "mock/m", "0".repeat(64),
                        "0".repeat(64), List.of(new Part.Text("A" + row)), "end", Usage.of(10, 5), 20L, 5, null, null,
                        null, null, Arrays.asList((Boolean) null)));
            }
            BatchJudges.JudgeRecorder first = new BatchJudges.JudgeRecorder(record, 0, 0, 0);
            first.requestSent(JUDGE, null, new byte[0]);
            first.answered(0, new RunResult(JUDGE, new Message(Role.ASSISTANT, List.of(new Part.Text("PASS, right"))),
                    StopReason.END, Usage.of(30, 3), new BigDecimal("0.000040"), 5, null, null));
            // its whole answer and usage came, then Ctrl-C ended the call before it was done
            BatchJudges.JudgeRecorder second = new BatchJudges.JudgeRecorder(record, 1, 0, 0);
            second.requestSent(JUDGE, null, new byte[0]);
            second.answered(0, new RunResult(JUDGE, new Message(Role.ASSISTANT, List.of(new Part.Text("FAIL"))),
                    null, Usage.of(30, 1), new BigDecimal("0.000035"), 5, null,
                    new InterruptedRunException("interrupted: the request to mock was cancelled", null)));
            record.end(ExitCode.INTERRUPTED);
            file = record.file();
        }

        assertThat(BatchRecord.read(file, false).judged()).as("a resume judges row 2 again")
                .containsOnlyKeys(BatchRecord.judgeKey(0, 0, 0));
        BatchReport report = BatchReport.of(file);
        BatchReport.ModelLine line = report.models().get(0);
        assertThat(List.of(line.calls(), line.missing(), line.passed(), line.failed()))
                .as("calls, missing, passed, failed").containsExactly(1L, 1L, 1L, 0L);
        assertThat(report.judgeCostUsd()).isEqualByComparingTo("0.000075");
        assertThat(BatchSummary.of(file).costMicroUsd()).as("the batch's cost").isEqualTo(20 + 20 + 40 + 35);
    }
}
