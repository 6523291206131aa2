package dev.llmo.cli;

import static dev.llmo.OpenAiAnswers.streamed;
import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.failure.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code run --save}, {@code run -t ... -p}, and {@code llmo templates list | show | edit | rm}. */
class TemplatesCommandTest {
    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().openAiServer()
            .mockProvider("""
                    input: [text, image, pdf]
                    models:
                      - name: m1
                        max_output_tokens: 1000
                        pricing: { input_per_mtok: 0.15, output_per_mtok: 0.60 }
                      - name: m2
                        max_output_tokens: 1000
                        pricing: { input_per_mtok: 0.15, output_per_mtok: 0.60 }
                    """)
            .configYaml("main_llm: mock/m1\n");

    private JsonNode body(RecordedRequest request) throws Exception {
        return new ObjectMapper().readTree(request.getBody().readUtf8());
    }

    @Test
    void aSavedTemplateIsShownUsedWithParametersAndDefaultsAndRemoved() throws Exception {
        CliRun.Result saved = llmo.run("run", "--save", "review", "-m", "mock/m2", "-s", "You review {{lang}} code.",
                "-o", "temperature=0.2", "-p", "lang", "Go", "Review this, {{tone}}: {{input}}");

        assertThat(saved).succeeded().outIsEmpty().errContains("saved template review", "-p tone VALUE");
        assertThat(llmo.server().getRequestCount()).as("--save sends nothing").isZero();
        assertThat(llmo.logs()).isEmpty();

        assertThat(llmo.run("templates", "list")).succeeded().outContains("review", "user",
                "Review this, {{tone}}: {{input}}");
        CliRun.Result shown = llmo.run("templates", "show", "review");
        assertThat(shown).succeeded().outContains("prompt: ", "{{tone}}", "mock/m2", "temperature: \"0.2\"",
                "lang: Go");

        llmo.server().enqueue(streamed("Looks fine."));
        CliRun.Result used = llmo.cli().stdin("func f() {}\n").run("run", "-t", "review", "-p", "tone", "kindly");
        assertThat(used).succeeded().outIs("Looks fine.\n");
        JsonNode body = body(llmo.server().takeRequest());
        assertThat(body.path("model").asText()).isEqualTo("m2");
        assertThat(body.path("temperature").decimalValue()).isEqualByComparingTo("0.2");
        assertThat(body.at("/messages/0/content").asText()).isEqualTo("You review Go code.");
        assertThat(body.at("/messages/1/content").asText()).isEqualTo("Review this, kindly: func f() {}");

        // flags given on the command line win over the template's; -p over its defaults
        llmo.server().enqueue(streamed("ok"));
        assertThat(llmo.cli().stdin("x = 1\n").run("run", "-t", "review", "-m", "mock/m1", "-p", "tone", "briefly",
                "-p", "lang", "Python", "-o", "temperature=0.9")).succeeded();
        body = body(llmo.server().takeRequest());
        assertThat(body.path("model").asText()).isEqualTo("m1");
        assertThat(body.path("temperature").decimalValue()).isEqualByComparingTo("0.9");
        assertThat(body.at("/messages/0/content").asText()).isEqualTo("You review Python code.");

        assertThat(llmo.run("templates", "rm", "review")).succeeded().errContains("removed template review");
        assertThat(llmo.run("templates", "show", "review")).failedWith(ExitCode.CONFIG)
                .errContains("unknown template 'review'");
        assertThat(llmo.run("run", "-t", "review", "hi")).failedWith(ExitCode.CONFIG);
    }

    @Test
    void anUnfilledPlaceholderIsAUsageErrorNamingItAndTheFix() {
        assertThat(llmo.run("run", "--save", "greet", "Say hello to {{who}} in {{lang}}")).succeeded();

        CliRun.Result result = llmo.run("run", "-t", "greet", "-p", "lang", "French");

        assertThat(result).failedWith(ExitCode.USAGE).errContains("{{who}}", "-p who VALUE");
        assertThat(llmo.server().getRequestCount()).isZero();
        assertThat(llmo.logs()).isEmpty();
    }

    @Test
    void aParameterNoPlaceholderUsesIsAUsageErrorNamingTheClosest() {
        assertThat(llmo.run("run", "--save", "rev", "-s", "You review {{lang}} code.", "-p", "tone", "kind",
                "Review this, {{tone}}: {{input}}")).succeeded();

        CliRun.Result typo = llmo.cli().stdin("x\n").run("run", "-t", "rev", "-p", "lang", "Go", "-p", "tonne",
                "blunt");
        CliRun.Result saved = llmo.run("run", "--save", "plain", "-p", "a", "1", "no placeholders");

        assertThat(typo).failedWith(ExitCode.USAGE).errIs("llmo: error: -p tonne fills no placeholder of the template "
                + "(did you mean 'tone'?); its placeholders are {{lang}}, {{tone}}\n");
        assertThat(saved).failedWith(ExitCode.USAGE).errIs("llmo: error: -p a fills no placeholder of the template "
                + "(it has none); write {{a}} in the prompt or the system prompt, or leave out -p a\n");
        assertThat(llmo.run("templates", "show", "plain")).failedWith(ExitCode.CONFIG);
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    @Test
    void aTemplateWithoutInputGetsPromptWordsAfterItsPrompt() throws Exception {
        assertThat(llmo.run("run", "--save", "terse", "Answer in one sentence.")).succeeded();
        llmo.server().enqueue(streamed("42."));

        assertThat(llmo.run("run", "-t", "terse", "What is the answer?")).succeeded().outIs("42.\n");

        JsonNode body = body(llmo.server().takeRequest());
        assertThat(body.at("/messages/0/content").asText())
                .isEqualTo("Answer in one sentence.\n\nWhat is the answer?");
    }

    @Test
    void aTemplateThatNeedsInputSaysSoWithoutAny() {
        assertThat(llmo.run("run", "--save", "sum", "Summarise: {{input}}")).succeeded();

        assertThat(llmo.run("run", "-t", "sum")).failedWith(ExitCode.USAGE).errContains("{{input}}", "stdin");
    }

    @Test
    void namesThatCouldLeaveTheTemplatesDirectoryAreRefused() {
        for (String name : new String[] {"../evil", "a/b", ".hidden", ""}) {
            assertThat(llmo.run("run", "--save", name, "hi")).failedWith(ExitCode.USAGE)
                    .errContains("is not a template name");
        }
        assertThat(llmo.run("templates", "show", "../../config")).failedWith(ExitCode.USAGE);
        assertThat(llmo.dir().resolve("templates")).doesNotExist();
    }

    @Test
    void aParameterWithoutATemplateIsAUsageError() {
        assertThat(llmo.run("run", "-p", "x", "y", "hi")).failedWith(ExitCode.USAGE).errContains("-t NAME");
    }

    @Test
    void aBadTemplateFileIsReportedWithItsPlace() throws Exception {
        Path file = Files.createDirectories(llmo.dir().resolve("templates")).resolve("bad.yaml");
        Files.writeString(file, "prompt: hi\npromt: typo\n");

        CliRun.Result result = llmo.run("run", "-t", "bad");

        assertThat(result).failedWith(ExitCode.CONFIG).errContains(file + ":2:1: unknown key 'promt'",
                "did you mean 'prompt'?");
        assertThat(llmo.run("templates", "list")).succeeded().outContains("bad", "cannot be used");
    }

    @Test
    void anUntrustedProjectsTemplateIsRefusedUntilTrusted() throws Exception {
        Path project = Files.createDirectories(llmo.home().resolve("repo"));
        Path templates = Files.createDirectories(project.resolve(".llmo/templates"));
        Files.writeString(templates.resolve("fix.yaml"), "prompt: \"Fix {{input}}\"\ntools: [evil.*]\n");

        CliRun.Result refused = llmo.cli().workingDir(project).stdin("code").run("run", "-t", "fix");

        assertThat(refused).failedWith(ExitCode.CONFIG).errContains(templates.resolve("fix.yaml").toString(),
                "untrusted", "llmo trust");
        assertThat(llmo.server().getRequestCount()).isZero();
        assertThat(llmo.cli().workingDir(project).run("templates", "show", "fix")).failedWith(ExitCode.CONFIG);

        assertThat(llmo.cli().workingDir(project).run("trust")).succeeded().errContains("1 template");
        Files.writeString(templates.resolve("fix.yaml"), "prompt: \"Fix {{input}}\"\n");
        assertThat(llmo.cli().workingDir(project).run("templates", "show", "fix"))
                .as("a template changed since it was trusted is untrusted again")
                .failedWith(ExitCode.CONFIG).errContains("changed since it was trusted");

        assertThat(llmo.cli().workingDir(project).run("trust")).succeeded();
        llmo.server().enqueue(streamed("fixed"));
        assertThat(llmo.cli().workingDir(project).stdin("code").run("run", "-t", "fix")).succeeded()
                .outIs("fixed\n");
        assertThat(body(llmo.server().takeRequest()).at("/messages/0/content").asText()).isEqualTo("Fix code");
        assertThat(llmo.cli().workingDir(project).run("templates", "list")).succeeded().outContains("fix", "project");
        assertThat(llmo.cli().workingDir(project).run("templates", "rm", "fix")).failedWith(ExitCode.USAGE)
                .errContains("the project's");
    }

    @Test
    void editChecksTheEditAndKeepsABadOneToFix() throws Exception {
        assertThat(llmo.run("run", "--save", "note", "Take a note")).succeeded();
        Path editor = llmo.home().resolve("editor.sh");
        Path replacement = llmo.home().resolve("next.yaml");
        Files.writeString(editor, "#!/bin/sh\ncat \"" + replacement + "\" > \"$1\"\n");
        Files.setPosixFilePermissions(editor, PosixFilePermissions.fromString("rwx------"));

        Files.writeString(replacement, "prompt: [not, text]\n");
        CliRun.Result bad = llmo.cli().env("EDITOR", editor.toString()).run("templates", "edit", "note");
        assertThat(bad).failedWith(ExitCode.CONFIG).errContains(".note.yaml.edit:1:9: 'prompt' of a template must be "
                + "text", "your edit is kept");
        assertThat(llmo.run("templates", "show", "note")).succeeded().outContains("Take a note");

        Files.writeString(replacement, "prompt: Take a {{kind}} note\ndefaults: { kind: short }\n");
        CliRun.Result good = llmo.cli().env("VISUAL", editor.toString()).run("templates", "edit", "note");
        assertThat(good).succeeded().errContains("resuming your unsaved edit", "saved template note");
        assertThat(llmo.run("templates", "show", "note")).succeeded().outContains("Take a {{kind}} note");
        try (var files = Files.list(llmo.dir().resolve("templates"))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("note.yaml");
        }
    }

    @Test
    void editWithoutAnEditorOrATerminalIsRefusedBeforeAnythingIsWritten() throws Exception {
        assertThat(llmo.run("run", "--save", "note", "Take a note")).succeeded();

        CliRun.Result refused = llmo.cli().run("templates", "edit", "note");

        assertThat(refused).failedWith(ExitCode.USAGE).errIs("llmo: error: no editor to run: VISUAL and EDITOR are "
                + "not set, and vi needs a terminal; set one (e.g. EDITOR=nano llmo templates edit note), or run the "
                + "command on a terminal\n");
        try (var files = Files.list(llmo.dir().resolve("templates"))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("note.yaml");
        }
    }

    @Test
    void anEditorThatFailsOrIsKilledSavesNothingAndLeavesNoDraft() throws Exception {
        assertThat(llmo.run("run", "--save", "note", "Take a note")).succeeded();
        Path before = llmo.dir().resolve("templates/note.yaml");
        String template = Files.readString(before);
        Path editor = llmo.home().resolve("editor.sh");
        // the editor writes into the draft, then is killed: what it wrote is no edit
        Files.writeString(editor, "#!/bin/sh\necho 'prompt: half' > \"$1\"\nkill -9 $$\n");
        Files.setPosixFilePermissions(editor, PosixFilePermissions.fromString("rwx------"));

        CliRun.Result killed = llmo.cli().env("EDITOR", editor.toString()).run("templates", "edit", "note");

        assertThat(killed).failedWith(ExitCode.FAILURE).errIs("llmo: error: the editor '" + editor + "' was ended by "
                + "signal 9; nothing was saved; the template is unchanged\n");
        assertThat(before).hasContent(template);
        try (var files = Files.list(llmo.dir().resolve("templates"))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("note.yaml");
        }

        CliRun.Result missing = llmo.cli().env("EDITOR", "no-such-editor-here").run("templates", "edit", "fresh");
        assertThat(missing).failedWith(ExitCode.FAILURE).errContains("llmo: error: the editor 'no-such-editor-here' "
                + "was not found (sh exit 127); nothing was saved; set EDITOR to an editor that is installed");
        assertThat(llmo.dir().resolve("templates/.fresh.yaml.edit")).doesNotExist();
    }

    @Test
    void aFailedEditorKeepsTheEarlierEditItResumed() throws Exception {
        Path templates = Files.createDirectories(llmo.dir().resolve("templates"));
        Path draft = Files.writeString(templates.resolve(".note.yaml.edit"), "prompt: [my, unfinished, edit]\n");

        CliRun.Result failed = llmo.cli().env("EDITOR", "false").run("templates", "edit", "note");

        assertThat(failed).failedWith(ExitCode.FAILURE).errContains("resuming your unsaved edit",
                "the editor 'false' exited with 1; nothing was saved; the template is unchanged and your earlier edit "
                        + "is kept in " + draft);
        assertThat(draft).hasContent("prompt: [my, unfinished, edit]");
    }

    @Test
    void editOfANewNameStartsFromAnExample() throws Exception {
        Path editor = llmo.home().resolve("editor.sh");
        Files.writeString(editor, "#!/bin/sh\ntrue\n");
        Files.setPosixFilePermissions(editor, PosixFilePermissions.fromString("rwx------"));

        assertThat(llmo.cli().env("EDITOR", editor.toString()).run("templates", "edit", "fresh")).succeeded();

        assertThat(llmo.run("templates", "show", "fresh")).succeeded().outContains("{{input}}", "defaults:");
    }

    @Test
    void aSchemaFileIsSavedByItsAbsolutePathAndUsedFromAnotherDirectoryWithItsRetries() throws Exception {
        Path work = Files.createDirectories(llmo.home().resolve("work"));
        Files.writeString(work.resolve("dog.json"), """
                {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
                 "required": ["name", "age"]}
                """);
        assertThat(llmo.cli().workingDir(work).run("run", "--save", "dog", "--schema", "dog.json",
                "--schema-retries", "1", "Invent a dog")).succeeded();

        assertThat(llmo.run("templates", "show", "dog")).succeeded()
                .outContains("schema: " + work.resolve("dog.json").toAbsolutePath(), "schema_retries: 1");

        // from another directory: the file is found, and a wrong answer is asked again once
        llmo.server().enqueue(streamed("{\"name\": \"Rex\"}"));
        llmo.server().enqueue(streamed("{\"name\": \"Rex\", \"age\": 3}"));
        assertThat(llmo.cli().workingDir(llmo.home()).run("run", "-t", "dog")).succeeded()
                .outIs("{\"name\": \"Rex\", \"age\": 3}\n");
        JsonNode first = body(llmo.server().takeRequest());
        assertThat(first.at("/response_format/type").asText()).isEqualTo("json_schema");
        assertThat(first.at("/response_format/json_schema/schema/properties/age/type").asText()).isEqualTo("integer");
        assertThat(first.at("/messages/0/content").asText()).isEqualTo("Invent a dog");
        assertThat(body(llmo.server().takeRequest()).at("/messages/2/content").asText()).contains("'age'");

        // flags win: --schema-multi replaces the schema (and its kind), --schema-retries 0 the retries
        llmo.server().enqueue(streamed("{\"items\": [{\"title\": 1}]}"));
        assertThat(llmo.run("run", "-t", "dog", "--schema-multi", "title", "--schema-retries", "0"))
                .failedWith(ExitCode.FAILURE).errContains("does not follow the schema");
        JsonNode overridden = body(llmo.server().takeRequest());
        assertThat(overridden.at("/response_format/json_schema/schema/properties/items/items/properties/title/type")
                .asText()).isEqualTo("string");
        assertThat(llmo.server().getRequestCount()).as("no retry").isEqualTo(3);
    }

    @Test
    void anAttachmentIsSavedByItsAbsolutePathWithItsTypeAndSentAsAPartFromAnotherDirectory() throws Exception {
        Path work = Files.createDirectories(llmo.home().resolve("work"));
        Files.write(work.resolve("pixel.bin"), AttachCliTest.PNG);
        assertThat(llmo.cli().workingDir(work).run("run", "--save", "look", "-a", "pixel.bin", "-a",
                "https://example.test/a.pdf", "--attach-type", "image/png", "--attach-type", "application/pdf",
                "What is it?")).succeeded();

        assertThat(llmo.run("templates", "show", "look")).succeeded().outContains("attachments:",
                "- " + work.resolve("pixel.bin").toAbsolutePath(), "- https://example.test/a.pdf",
                "attachment_types:", "- image/png", "- application/pdf");

        // -a on the command line replaces the template's attachments (and their types) from any directory
        Files.write(llmo.home().resolve("other.png"), AttachCliTest.PNG);
        llmo.server().enqueue(streamed("A pixel."));
        assertThat(llmo.cli().workingDir(llmo.home()).run("run", "-t", "look", "-a", "other.png"))
                .succeeded().outIs("A pixel.\n");
        JsonNode content = body(llmo.server().takeRequest()).at("/messages/0/content");
        assertThat(content).hasSize(2);
        assertThat(content.get(0).path("text").asText()).isEqualTo("What is it?");
        assertThat(content.get(1).at("/image_url/url").asText())
                .isEqualTo("data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(AttachCliTest.PNG));

        // the saved template alone: its file (by the absolute path, from another directory) as a part
        assertThat(llmo.run("run", "--save", "pixel", "-a", work.resolve("pixel.bin").toString(), "--attach-type",
                "image/png", "Describe it")).succeeded();
        llmo.server().enqueue(streamed("Still a pixel."));
        assertThat(llmo.cli().workingDir(llmo.home()).run("run", "-t", "pixel")).succeeded()
                .outIs("Still a pixel.\n");
        content = body(llmo.server().takeRequest()).at("/messages/0/content");
        assertThat(content.get(1).at("/image_url/url").asText()).startsWith("data:image/png;base64,");
    }

    /** A template is a plain file: a URL's credentials are not written to it, whatever the password holds. */
    @Test
    void aUrlWithAUserNameOrPasswordIsNotSaved() throws Exception {
        for (String[] flags : java.util.List.of(new String[] {"-a", "https://user:s3cr#t@example.test/doc.pdf"},
                new String[] {"-f", "https://me:pw@example.test/notes.md?x=1"},
                new String[] {"--sf", "http://tok/en@example.test/sys.md"})) {
            CliRun.Result result = llmo.run("run", "--save", "creds", flags[0], flags[1], "Read it");
            assertThat(result).failedWith(ExitCode.USAGE).outIsEmpty()
                    .errContains("llmo: error: " + flags[0] + " http", "***@example.test/",
                            "has a user name or password, which a template would keep in clear")
                    .errDoesNotContain("s3cr", "me:pw", "tok/en");
            assertThat(llmo.dir().resolve("templates/creds.yaml")).doesNotExist();
        }
        // one written into the file by hand is used as written, and shown masked
        Files.createDirectories(llmo.dir().resolve("templates"));
        Files.writeString(llmo.dir().resolve("templates/byhand.yaml"), "prompt: Read it\nattachments:\n"
                + "- https://me:s3cr#t@example.test/doc.pdf\nfragments: [\"https://tok/en@example.test/n.md\"]\n");
        assertThat(llmo.run("templates", "show", "byhand")).succeeded()
                .outContains("- https://***@example.test/doc.pdf", "[\"https://***@example.test/n.md\"]")
                .outDoesNotContain("s3cr", "tok/en");
        // a password with white space or quotes, as a hand-written file may hold: no piece of it shows
        Files.writeString(llmo.dir().resolve("templates/spaced.yaml"), "prompt: Read it\nattachments:\n"
                + "- https://me:open sesame@example.test/doc.pdf\n"
                + "fragments: [\"https://me:it's \\\"quoted\\\"@example.test/n.md\"]\n");
        assertThat(llmo.run("templates", "show", "spaced")).succeeded()
                .outContains("- https://***@example.test/doc.pdf", "[\"https://***@example.test/n.md\"]")
                .outDoesNotContain("open", "sesame", "it's", "quoted");
        assertThat(llmo.run("run", "--save", "creds", "-a", "https://example.test/@team/a.pdf", "-f",
                "/tmp/me@home/a.md", "Read it")).succeeded();
        assertThat(Files.readString(llmo.dir().resolve("templates/creds.yaml")))
                .contains("https://example.test/@team/a.pdf", "/tmp/me@home/a.md");
    }

    @Test
    void savingUnderANameInUseSaysItReplacedItAndKeepsTheOneItReplaced() throws Exception {
        assertThat(llmo.run("run", "--save", "dog", "--schema", "name, age int", "Invent a dog")).succeeded();
        String first = Files.readString(llmo.dir().resolve("templates/dog.yaml"));

        CliRun.Result again = llmo.run("run", "--save", "dog", "Invent a cat");

        java.nio.file.Path kept = llmo.dir().resolve("templates/dog.yaml.previous");
        assertThat(again).succeeded().outIsEmpty().errContains("llmo: replaced template dog to ",
                "; the one it replaced is kept in " + kept);
        assertThat(Files.readString(kept)).isEqualTo(first);
        assertThat(llmo.run("templates", "list")).succeeded().outContains("Invent a cat").outDoesNotContain("previous");

        // removing the template leaves the version it replaced, and says where
        assertThat(llmo.run("templates", "rm", "dog")).succeeded().errContains("llmo: removed template dog (",
                "; the version it replaced is still in " + kept);
        assertThat(Files.readString(kept)).isEqualTo(first);
    }

    @Test
    void stdinAsAnAttachmentCannotBeSaved() {
        CliRun.Result result = llmo.cli().stdin("bytes").run("run", "--save", "piped", "-a", "-", "Describe it");

        assertThat(result).failedWith(ExitCode.USAGE).errContains("-a - cannot be saved in a template");
        assertThat(llmo.dir().resolve("templates/piped.yaml")).doesNotExist();
    }

    @Test
    void anInlineSchemaIsSavedAsTypedAndABrokenOneIsRefusedAtSave() throws Exception {
        assertThat(llmo.run("run", "--save", "cast", "--schema-multi", "name, role: their job",
                "Who is in {{input}}?")).succeeded();
        assertThat(llmo.run("templates", "show", "cast")).succeeded()
                .outContains("schema_multi: \"name, role: their job\"").outDoesNotContain("schema_retries");

        llmo.server().enqueue(streamed("{\"items\": [{\"name\": \"Ann\", \"role\": \"cook\"}]}"));
        assertThat(llmo.run("run", "-t", "cast", "Hamlet")).succeeded().outContains("Ann");
        JsonNode body = body(llmo.server().takeRequest());
        assertThat(body.at("/response_format/json_schema/schema/properties/items/items/properties/role/description")
                .asText()).isEqualTo("their job");

        assertThat(llmo.run("run", "--save", "bad", "--schema", "{not json", "hi")).failedWith(ExitCode.USAGE)
                .errContains("--schema");
        assertThat(llmo.run("run", "--save", "lone", "--schema-retries", "2", "hi")).failedWith(ExitCode.USAGE)
                .errContains("--schema-retries needs --schema");
        assertThat(llmo.dir().resolve("templates/bad.yaml")).doesNotExist();
        assertThat(llmo.dir().resolve("templates/lone.yaml")).doesNotExist();
    }
}
