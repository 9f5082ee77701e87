package dev.parley.demo;

import com.jme3.math.ColorRGBA;
import com.jme3.math.Vector3f;
import dev.parley.util.Validate;

/**
 * Who a demo character is: a name, an identity for the open head, a default style and where it stands.
 *
 * @param name the character's name (not null)
 * @param beta head shape weights (not null; see {@link dev.parley.head.HeadShape})
 * @param style the default style preset's name (not null)
 * @param position where the character stands, feet on the ground (not null)
 * @param facing the direction the character faces, in the ground plane (not null, nonzero)
 * @param outfit the clothing colour (not null)
 * @param voiceLine the id of the line the character says in "Speak all" (not null)
 */
public record CharacterProfile(String name, float[] beta, String style, Vector3f position, Vector3f facing,
        ColorRGBA outfit,
        String voiceLine) {

    /** Validates the fields. */
    public CharacterProfile {
        Validate.nonEmpty(name, "name");
        Validate.finite(beta, "beta");
        Validate.nonEmpty(style, "style");
        Validate.nonNull(position, "position");
        Validate.nonNull(outfit, "outfit");
        Validate.nonEmpty(voiceLine, "voiceLine");
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

    @Override
    public String toString() {
        return name;
    }
}
