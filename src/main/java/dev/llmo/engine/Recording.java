package dev.llmo.engine;

import dev.llmo.core.CallRecorder;
import dev.llmo.core.Conversation;

/** Where the calls of a plan are recorded: each call's recorder, chosen by the plan's kind. */
@FunctionalInterface
public interface Recording {
    /** Records nothing. */
    Recording NONE = new Nowhere();

    /**
     * The recorder of call {@code index} of {@code plan}, asked just before that call starts.
     *
     * @param input a pipeline step's input (the previous answer), which it sends as its user message; null otherwise
     */
    CallRecorder call(Plan plan, int index, String input);

    /**
     * Records in {@code conversation}: a single call and a chain step's calls as turns of the conversation; every call
     * of a fan-out with the same context (the answers do not join the history); every later pipeline step as a user
     * message (the previous answer) and its call, whose answer joins the history.
     */
    static Recording of(Conversation conversation) {
        return new InConversation(conversation);
    }

    // Classes rather than lambdas: every run makes one, and a lambda's linkage costs more at start-up than a class
    // (ADR-003, "Seventh round").

    /** {@link #NONE}. */
    final class Nowhere implements Recording {
        private Nowhere() {
        }

        @Override
        public CallRecorder call(Plan plan, int index, String input) {
            return CallRecorder.NONE;
        }
    }

    /** {@link #of}. */
    final class InConversation implements Recording {
        private final Conversation conversation;

        private InConversation(Conversation conversation) {
            this.conversation = conversation;
        }

        @Override
        public CallRecorder call(Plan plan, int index, String input) {
            if (plan instanceof Plan.FanOut) {
                return conversation.fork(Integer.MAX_VALUE, false);
            }
            if (plan instanceof Plan.Pipeline) {
                if (input == null) {
                    return conversation.fork(Integer.MAX_VALUE, true);
                }
                conversation.user(input);
                return conversation.fork(1, true);
            }
            return conversation;
        }
    }
}
