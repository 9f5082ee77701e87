package dev.parley.demo;

import com.jme3.math.ColorRGBA;
import com.jme3.math.Vector3f;
import dev.parley.util.Validate;
import java.util.List;

/**
 * Who a demo character is: a name, an identity for the open head, a default style and where it stands; optionally
 * another head than the open FLAME one, bound through a rig profile.
 *
 * @param name the character's name (not null)
 * @param beta head shape weights (not null; see {@link dev.parley.head.HeadShape})
 * @param style the default style preset's name (not null)
 * @param position where the character stands, feet on the ground (not null)
 * @param facing the direction the character faces, in the ground plane (not null, nonzero)
 * @param outfit the clothing colour (not null)
 * @param voiceLine the id of the line the character says in "Speak all" (not null)
 * @param rig null for the open FLAME head, else one of {@link #RIGS}: the retarget set
 *     ({@code Retargets/<rig>.retarget.json}) that binds {@code model}; {@code beta} then only conditions its motion
 * @param model the head model's asset path for a {@code rig} (null without one, else not empty)
 * @param grooming hair, beard, skin and eyes on the open head (not null; {@link Grooming#NONE} without)
 */
public record CharacterProfile(String name, float[] beta, String style, Vector3f position, Vector3f facing,
        ColorRGBA outfit,
        String voiceLine, String rig, String model, Grooming grooming) {

    /** The rigs a character may name besides the default open head (each a retarget set of that name). */
    public static final List<String> RIGS = List.of("arkit52");

    /**
     * A character on the open FLAME head.
     *
     * @param name see the record
     * @param beta see the record
     * @param style see the record
     * @param position see the record
     * @param facing see the record
     * @param outfit see the record
     * @param voiceLine see the record
     */
    public CharacterProfile(String name, float[] beta, String style, Vector3f position, Vector3f facing,
            ColorRGBA outfit, String voiceLine) {
        this(name, beta, style, position, facing, outfit, voiceLine, null, null, Grooming.NONE);
    }

    /**
     * A character without grooming.
     *
     * @param name see the record
     * @param beta see the record
     * @param style see the record
     * @param position see the record
     * @param facing see the record
     * @param outfit see the record
     * @param voiceLine see the record
     * @param rig see the record
     * @param model see the record
     */
    public CharacterProfile(String name, float[] beta, String style, Vector3f position, Vector3f facing,
            ColorRGBA outfit, String voiceLine, String rig, String model) {
        this(name, beta, style, position, facing, outfit, voiceLine, rig, model, Grooming.NONE);
    }

    /** Validates the fields. */
    public CharacterProfile {
        if (rig != null && !RIGS.contains(rig)) {
            throw new IllegalArgumentException("rig: expected one of " + RIGS
                    + " (or none for the open FLAME head) but got '" + rig + "'");
        }
        if (rig != null && (model == null || model.isEmpty())) {
            throw new IllegalArgumentException("model: rig '" + rig + "' needs the head model's asset path");
        }
        if (rig == null && model != null) {
            throw new IllegalArgumentException("model: only a character with a rig names its model (got '"
                    + model + "' without a rig)");
        }
        Validate.nonEmpty(name, "name");
        Validate.finite(beta, "beta");
        Validate.nonEmpty(style, "style");
        Validate.nonNull(position, "position");
        Validate.nonNull(outfit, "outfit");
        Validate.nonEmpty(voiceLine, "voiceLine");
        Validate.nonNull(grooming, "grooming");
        if (Validate.nonNull(facing, "facing").lengthSquared() == 0f) {
            throw new IllegalArgumentException("facing must be nonzero");
        }
    }

    /**
     * Shape weights with a few named components set and the rest zero.
     *
     * @param pairs component index, weight, component index, weight... (even length)
     * @return a new beta of 20 components
     */
    public static float[] beta(float... pairs) {
        if (pairs.length % 2 != 0) {
            throw new IllegalArgumentException("pairs must be (index, weight) pairs but has odd length "
                    + pairs.length);
        }
        float[] beta = new float[20];
        for (int i = 0; i < pairs.length; i += 2) {
            beta[Validate.inRange((int) pairs[i], 0, 19, "pairs[" + i + "]")] = pairs[i + 1];
        }
        return beta;
    }

    /**
     * @param newStyle the style preset's name (not null, not empty)
     * @return this character with another style (not null)
     */
    public CharacterProfile withStyle(String newStyle) {
        return new CharacterProfile(name, beta, newStyle, position, facing, outfit, voiceLine, rig, model, grooming);
    }

    @Override
    public String toString() {
        return name;
    }
}
