package dev.parley.util;

/**
 * Argument checks at the door of public methods. Each failure message names the argument,
 * so a caller knows what to fix without reading the body.
 */
public final class Validate {

    private Validate() {
    }

    /**
     * Checks that a reference is not null.
     *
     * @param value the value to test (may be null)
     * @param name the argument's name for the message (not null)
     * @param <T> the value's type
     * @return {@code value}, for chaining
     * @throws NullPointerException naming the argument if {@code value} is null
     */
    public static <T> T nonNull(T value, String name) {
        if (value == null) {
            throw new NullPointerException(name + " must not be null");
        }
        return value;
    }

    /**
     * Checks the length of a float array.
     *
     * @param array the array to test (not null, unaffected)
     * @param length the required length (&ge;0)
     * @param name the argument's name for the message (not null)
     * @return {@code array}, for chaining
     * @throws IllegalArgumentException naming the argument, the expected and the actual length
     */
    public static float[] length(float[] array, int length, String name) {
        nonNull(array, name);
        if (array.length != length) {
            throw new IllegalArgumentException(
                    name + " must have length " + length + " but has length " + array.length);
        }
        return array;
    }

    /**
     * Checks that every element of a float array is finite.
     *
     * @param array the array to test (not null, unaffected)
     * @param name the argument's name for the message (not null)
     * @return {@code array}, for chaining
     * @throws IllegalArgumentException naming the argument and the first non-finite index
     */
    public static float[] finite(float[] array, String name) {
        nonNull(array, name);
        for (int i = 0; i < array.length; i++) {
            if (!Float.isFinite(array[i])) {
                throw new IllegalArgumentException(name + "[" + i + "] is " + array[i] + ", expected a finite value");
            }
        }
        return array;
    }

    /**
     * Checks that an int lies in a closed range.
     *
     * @param value the value to test
     * @param min the smallest allowed value
     * @param max the largest allowed value
     * @param name the argument's name for the message (not null)
     * @return {@code value}, for chaining
     * @throws IllegalArgumentException naming the argument, the range and the value
     */
    public static int inRange(int value, int min, int max, String name) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    name + " must be in [" + min + ", " + max + "] but is " + value);
        }
        return value;
    }

    /**
     * Checks that a string is neither null nor empty.
     *
     * @param value the value to test (may be null)
     * @param name the argument's name for the message (not null)
     * @return {@code value}, for chaining
     */
    public static String nonEmpty(String value, String name) {
        nonNull(value, name);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        return value;
    }
}
