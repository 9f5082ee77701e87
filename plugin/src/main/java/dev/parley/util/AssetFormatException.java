package dev.parley.util;

/**
 * A Parley asset (head spec, style, model pack manifest) that cannot be used as written.
 * The message always names the source, the field, what was expected and what was found, e.g.
 * {@code ParleyHead.spec.json: field 'expression.count' expected 50 but got 49}.
 */
public class AssetFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The asset's name or path. */
    private final String source;
    /** The JSON path of the offending field, or "" for the whole asset. */
    private final String field;

    /**
     * @param source the asset's name or path (not null)
     * @param field the JSON path of the offending field, or "" for the whole asset (not null)
     * @param problem what is wrong, naming expected and actual values (not null)
     */
    public AssetFormatException(String source, String field, String problem) {
        this(source, field, problem, null);
    }

    /**
     * @param source the asset's name or path (not null)
     * @param field the JSON path of the offending field, or "" for the whole asset (not null)
     * @param problem what is wrong, naming expected and actual values (not null)
     * @param cause the underlying exception (may be null)
     */
    public AssetFormatException(String source, String field, String problem, Throwable cause) {
        super(source + (field.isEmpty() ? "" : ": field '" + field + "'") + " " + problem, cause);
        this.source = source;
        this.field = field;
    }

    /** @return the asset's name or path (not null) */
    public String getSource() {
        return source;
    }

    /** @return the JSON path of the offending field, or "" for the whole asset (not null) */
    public String getField() {
        return field;
    }
}
