package dev.parley.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Consumer;

/** Bad adapter files made from good ones ({@code .adapter}, docs/adapters.md), for the tests that refuse them. */
public final class AdapterFiles {

    private AdapterFiles() {
    }

    /**
     * @param file an adapter file's bytes (not null, unaffected)
     * @param change edits the JSON header (not null)
     * @return a new file: the header changed, the factor data kept
     * @throws IOException if the header is not JSON
     */
    public static byte[] withHeader(byte[] file, Consumer<ObjectNode> change) throws IOException {
        int n = ByteBuffer.wrap(file, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode header = (ObjectNode) mapper.readTree(Arrays.copyOfRange(file, 12, 12 + n));
        change.accept(header);
        byte[] json = mapper.writeValueAsBytes(header);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(file, 0, 8);
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(json.length).array());
        out.write(json);
        out.write(file, 12 + n, file.length - 12 - n);
        return out.toByteArray();
    }

    /**
     * @param file an adapter file's bytes (not null)
     * @return where its factor data starts
     */
    public static int dataStart(byte[] file) {
        return 12 + ByteBuffer.wrap(file, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    /**
     * @param file an adapter file's bytes (not null, unaffected)
     * @param index the factor to spoil (&ge;0)
     * @return a new file with that factor NaN
     */
    public static byte[] withNaN(byte[] file, int index) {
        byte[] out = file.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putFloat(dataStart(out) + 4 * index, Float.NaN);
        return out;
    }
}
