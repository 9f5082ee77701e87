package dev.parley.pack;

import dev.parley.style.Adapter;
import dev.parley.util.AssetFormatException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges an expression adapter into a denoiser graph's weights (docs/adapters.md): for each adapted linear,
 * W' = W + B^T A, written back into a copy of the ONNX model as a float32 initializer under the same name.
 * The graph is read with a few lines of protobuf wire format (no ONNX library): the model's graph, its nodes
 * (op type, inputs, outputs) and its initializers (name, type, dims, raw data).
 *
 * <p>A layer is found through its bias, which keeps its module name in the export: the {@code Add} that adds
 * {@code ….<layer>.bias} to a {@code MatMul} whose weight operand is an initializer [in, out] (stored as
 * float16 and cast to float32 in the graph, or float32). A graph where that pattern is missing, or where the
 * weight also feeds another node, is refused naming the file and the layer. Stateless.
 */
final class MergedWeights {

    private static final int FLOAT = 1;
    private static final int FLOAT16 = 10;

    /** A node of the graph: its operator and tensor names. */
    private record Node(String op, List<String> inputs, List<String> outputs) {
    }

    /** An initializer: its type and dims, its raw data in the graph's bytes, its entry's span there. */
    private record Tensor(String name, int type, long[] dims, int dataStart, int dataLength, int entryStart,
            int entryEnd) {
    }

    /** A field of a protobuf message: its number, wire type, value (varint) or payload span. */
    private record Field(int number, int wire, long value, int start, int end, int entryStart) {
    }

    private MergedWeights() {
    }

    /**
     * @param model the denoiser graph's bytes (not null, unaffected)
     * @param file the graph's name for messages (not null)
     * @param adapter the adapter, checked against the pack already (not null)
     * @return a new model: the same graph with each adapted layer's weight merged, as float32
     * @throws AssetFormatException naming the file and the layer that cannot be merged
     */
    static byte[] merge(byte[] model, String file, Adapter adapter) {
        Field graphField = null;
        for (Field f : fields(model, 0, model.length, file)) {
            if (f.number == 7 && f.wire == 2) {
                graphField = f;
            }
        }
        if (graphField == null) {
            throw new AssetFormatException(file, "graph", "expected an ONNX model with a graph but found none");
        }
        List<Node> nodes = new ArrayList<>();
        Map<String, Tensor> inits = new HashMap<>();
        for (Field f : fields(model, graphField.start, graphField.end, file)) {
            if (f.number == 1 && f.wire == 2) {
                nodes.add(node(model, f, file));
            } else if (f.number == 5 && f.wire == 2) {
                Tensor t = tensor(model, f, file);
                inits.put(t.name, t);
            }
        }
        float[] factors = adapter.factors();
        int rank = adapter.totalRank();
        int width = adapter.rowWidth();
        Map<Integer, byte[]> replaced = new HashMap<>();
        for (Adapter.Target target : adapter.targets()) {
            Tensor w = weightOf(target, nodes, inits, file, adapter.source());
            float[] merged = values(model, w, file);
            for (int r = 0; r < rank; r++) {
                int a = r * width + target.offset();
                int b = a + target.in();
                for (int i = 0; i < target.in(); i++) {
                    float ai = factors[a + i];
                    int row = i * target.out();
                    for (int o = 0; o < target.out(); o++) {
                        merged[row + o] += ai * factors[b + o];
                    }
                }
            }
            replaced.put(w.entryStart, entry(5, floatTensor(w, merged)));
        }
        ByteArrayOutputStream graph = new ByteArrayOutputStream(2 * model.length);
        for (Field f : fields(model, graphField.start, graphField.end, file)) {
            byte[] swap = replaced.get(f.entryStart);
            if (swap != null) {
                graph.writeBytes(swap);
            } else {
                graph.write(model, f.entryStart, f.end - f.entryStart);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(model.length + graph.size());
        out.write(model, 0, graphField.entryStart);
        out.writeBytes(entry(7, graph.toByteArray()));
        out.write(model, graphField.end, model.length - graphField.end);
        return out.toByteArray();
    }

    /** The weight initializer of one adapted layer: MatMul(x, [Cast](W)) + bias. */
    private static Tensor weightOf(Adapter.Target target, List<Node> nodes, Map<String, Tensor> inits, String file,
            String adapterFile) {
        String layer = "layer '" + target.name() + "' of " + adapterFile;
        String suffix = "." + target.name() + ".bias";
        String bias = null;
        for (String name : inits.keySet()) {
            if (name.endsWith(suffix) || name.equals(target.name() + ".bias")) {
                if (bias != null) {
                    throw new AssetFormatException(file, target.name(), "expected one bias for " + layer
                            + " but found " + bias + " and " + name);
                }
                bias = name;
            }
        }
        if (bias == null) {
            throw new AssetFormatException(file, target.name(), "expected a linear layer for " + layer
                    + " but the graph has no '" + target.name() + ".bias'");
        }
        String weight = null;
        for (Node add : nodes) {
            if (add.op.equals("Add") && add.inputs.size() == 2 && add.inputs.contains(bias)) {
                String other = add.inputs.get(add.inputs.get(0).equals(bias) ? 1 : 0);
                Node mm = producer(nodes, other);
                if (mm != null && mm.op.equals("MatMul") && mm.inputs.size() == 2) {
                    weight = mm.inputs.get(1);
                    Node cast = producer(nodes, weight);
                    if (cast != null && cast.op.equals("Cast") && consumers(nodes, weight) == 1) {
                        weight = cast.inputs.get(0);
                    }
                }
            }
        }
        Tensor w = weight == null ? null : inits.get(weight);
        if (w == null) {
            throw new AssetFormatException(file, target.name(), "expected MatMul(x, weight) + bias for " + layer
                    + " but found no such weight");
        }
        if (consumers(nodes, w.name) != 1) {
            throw new AssetFormatException(file, target.name(), "the weight '" + w.name + "' of " + layer
                    + " feeds " + consumers(nodes, w.name) + " nodes: cannot merge an adapter into one of them");
        }
        if (w.dims.length != 2 || w.dims[0] != target.in() || w.dims[1] != target.out()
                || (w.type != FLOAT && w.type != FLOAT16) || w.dataStart < 0) {
            throw new AssetFormatException(file, target.name(), "expected a float weight [" + target.in() + ", "
                    + target.out() + "] (in, out) for " + layer + " but got type " + w.type + " "
                    + Arrays.toString(w.dims) + (w.dataStart < 0 ? " without raw data" : ""));
        }
        return w;
    }

    private static Node producer(List<Node> nodes, String tensor) {
        for (Node n : nodes) {
            if (n.outputs.contains(tensor)) {
                return n;
            }
        }
        return null;
    }

    private static int consumers(List<Node> nodes, String tensor) {
        int count = 0;
        for (Node n : nodes) {
            for (String in : n.inputs) {
                count += in.equals(tensor) ? 1 : 0;
            }
        }
        return count;
    }

    /** A weight's values as float32, row-major [in, out]. */
    private static float[] values(byte[] model, Tensor w, String file) {
        int n = (int) (w.dims[0] * w.dims[1]);
        int size = w.type == FLOAT ? 4 : 2;
        if (w.dataLength != n * size) {
            throw new AssetFormatException(file, w.name, "expected " + n * size + " bytes of raw data but got "
                    + w.dataLength);
        }
        ByteBuffer data = ByteBuffer.wrap(model, w.dataStart, w.dataLength).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = w.type == FLOAT ? data.getFloat() : halfToFloat(data.getShort());
        }
        return out;
    }

    /** IEEE 754 binary16 to float (exact). */
    static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        float v;
        if (exponent == 0) {
            v = mantissa * 0x1p-24f;
        } else if (exponent == 31) {
            v = mantissa == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else {
            v = Float.intBitsToFloat(((exponent + 112) << 23) | (mantissa << 13));
        }
        return (h & 0x8000) != 0 ? -v : v;
    }

    /** A TensorProto: dims, data type float, the name, raw data. */
    private static byte[] floatTensor(Tensor w, float[] values) {
        ByteArrayOutputStream t = new ByteArrayOutputStream(values.length * 4 + 64);
        for (long d : w.dims) {
            varint(t, 1 << 3);
            varint(t, d);
        }
        varint(t, 2 << 3);
        varint(t, FLOAT);
        t.writeBytes(entry(8, w.name.getBytes(StandardCharsets.UTF_8)));
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        t.writeBytes(entry(9, raw.array()));
        return t.toByteArray();
    }

    /** A length-delimited field: key, length, payload. */
    private static byte[] entry(int number, byte[] payload) {
        ByteArrayOutputStream e = new ByteArrayOutputStream(payload.length + 12);
        varint(e, (number << 3) | 2);
        varint(e, payload.length);
        e.writeBytes(payload);
        return e.toByteArray();
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static Node node(byte[] b, Field entry, String file) {
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        String op = "";
        for (Field f : fields(b, entry.start, entry.end, file)) {
            if (f.wire != 2) {
                continue;
            }
            String text = new String(b, f.start, f.end - f.start, StandardCharsets.UTF_8);
            switch (f.number) {
                case 1 -> inputs.add(text);
                case 2 -> outputs.add(text);
                case 4 -> op = text;
                default -> {
                    // name, domain, attributes, doc string: not needed
                }
            }
        }
        return new Node(op, inputs, outputs);
    }

    private static Tensor tensor(byte[] b, Field entry, String file) {
        List<Long> dims = new ArrayList<>();
        int type = 0;
        String name = "";
        int dataStart = -1;
        int dataLength = 0;
        for (Field f : fields(b, entry.start, entry.end, file)) {
            if (f.number == 1 && f.wire == 0) {
                dims.add(f.value);
            } else if (f.number == 1 && f.wire == 2) {
                for (int[] p = {f.start}; p[0] < f.end;) {
                    dims.add(readVarint(b, p, f.end, file));
                }
            } else if (f.number == 2 && f.wire == 0) {
                type = (int) f.value;
            } else if (f.number == 8 && f.wire == 2) {
                name = new String(b, f.start, f.end - f.start, StandardCharsets.UTF_8);
            } else if (f.number == 9 && f.wire == 2) {
                dataStart = f.start;
                dataLength = f.end - f.start;
            }
        }
        long[] d = dims.stream().mapToLong(Long::longValue).toArray();
        return new Tensor(name, type, d, dataStart, dataLength, entry.entryStart, entry.end);
    }

    /** The fields of a message in b[from, to). */
    private static List<Field> fields(byte[] b, int from, int to, String file) {
        List<Field> out = new ArrayList<>();
        int[] p = {from};
        while (p[0] < to) {
            int entryStart = p[0];
            long key = readVarint(b, p, to, file);
            int number = (int) (key >>> 3);
            int wire = (int) (key & 7);
            switch (wire) {
                case 0 -> {
                    long v = readVarint(b, p, to, file);
                    out.add(new Field(number, wire, v, p[0], p[0], entryStart));
                }
                case 1, 5 -> {
                    int n = wire == 1 ? 8 : 4;
                    out.add(new Field(number, wire, 0, p[0], p[0] + n, entryStart));
                    p[0] += n;
                }
                case 2 -> {
                    long n = readVarint(b, p, to, file);
                    if (n < 0 || p[0] + n > to) {
                        throw corrupt(file);
                    }
                    out.add(new Field(number, wire, 0, p[0], p[0] + (int) n, entryStart));
                    p[0] += (int) n;
                }
                default -> throw corrupt(file);
            }
            if (p[0] > to) {
                throw corrupt(file);
            }
        }
        return out;
    }

    private static long readVarint(byte[] b, int[] p, int to, String file) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p[0] >= to) {
                throw corrupt(file);
            }
            int x = b[p[0]++];
            v |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                return v;
            }
        }
        throw corrupt(file);
    }

    private static AssetFormatException corrupt(String file) {
        return new AssetFormatException(file, "", "is not a readable ONNX model (bad protobuf data)");
    }
}
