package dev.llmo.config;

/**
 * The seed's compact step, {@code "STEP>/ROLE)-MODEL"} (e.g. {@code "GenerateCode>/Developer)-gemini"}): step
 * STEP, the system prompt of ROLE, model MODEL (any model reference, which may itself contain {@code - / : .}).
 * ROLE may be empty for no role.
 */
public record CompactStep(String step, String role, String model) {

    /** Parses one compact string, or throws {@link IllegalArgumentException} saying what is malformed. */
    public static CompactStep parse(String text) {
        int roleStart = text.indexOf(">/");
        if (roleStart < 0) {
            throw new IllegalArgumentException("malformed compact step \"" + text
                    + "\": expected STEP>/ROLE)-MODEL, e.g. \"GenerateCode>/Developer)-gemini\" (no '>/')");
        }
        int modelStart = text.indexOf(")-", roleStart + 2);
        if (modelStart < 0) {
            throw new IllegalArgumentException("malformed compact step \"" + text
                    + "\": expected STEP>/ROLE)-MODEL, e.g. \"GenerateCode>/Developer)-gemini\" (no ')-' after the role)");
        }
        String step = text.substring(0, roleStart).strip();
        String role = text.substring(roleStart + 2, modelStart).strip();
        String model = text.substring(modelStart + 2).strip();
        if (step.isEmpty()) {
            throw new IllegalArgumentException("malformed compact step \"" + text + "\": the step name before '>/' is empty");
        }
        if (model.isEmpty()) {
            throw new IllegalArgumentException("malformed compact step \"" + text + "\": the model after ')-' is empty");
        }
        return new CompactStep(step, role.isEmpty() ? null : role, model);
    }
}
