// Runs one ONNX graph with ONNX Runtime (Java) on raw little-endian tensors; a dev tool for the
// Python side, which has no ONNX runtime. Launched as a single-file program by parley/model/ort_java.py:
//   java -cp onnxruntime.jar OrtRun.java MODEL OUTDIR THREADS REPEAT name=file:dtype:d0,d1,... ...
// Writes each output to OUTDIR/<output name>.bin (float32) and prints "ms_per_run <value>".
import ai.onnxruntime.*;
import java.io.IOException;
import java.nio.*;
import java.nio.file.*;
import java.util.*;

public class OrtRun {
    public static void main(String[] args) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        opts.setIntraOpNumThreads(Integer.parseInt(args[2]));
        opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        int repeat = Integer.parseInt(args[3]);
        try (OrtSession session = env.createSession(args[0], opts)) {
            Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
            for (int i = 4; i < args.length; i++) {
                String[] kv = args[i].split("=", 2);
                String[] spec = kv[1].split(":");
                long[] shape = Arrays.stream(spec[2].split(",")).mapToLong(Long::parseLong).toArray();
                ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(Path.of(spec[0]))).order(ByteOrder.LITTLE_ENDIAN);
                if (spec[1].equals("int64")) {
                    long[] v = new long[bytes.remaining() / 8];
                    bytes.asLongBuffer().get(v);
                    inputs.put(kv[0], OnnxTensor.createTensor(env, LongBuffer.wrap(v), shape));
                } else {
                    float[] v = new float[bytes.remaining() / 4];
                    bytes.asFloatBuffer().get(v);
                    inputs.put(kv[0], OnnxTensor.createTensor(env, FloatBuffer.wrap(v), shape));
                }
            }
            for (int w = 0; w < Math.min(repeat, 3); w++) {
                session.run(inputs).close();
            }
            long t0 = System.nanoTime();
            double[] each = new double[repeat];
            for (int r = 0; r < repeat; r++) {
                long t1 = System.nanoTime();
                session.run(inputs).close();
                each[r] = (System.nanoTime() - t1) / 1e6;
            }
            double ms = repeat > 0 ? (System.nanoTime() - t0) / 1e6 / repeat : 0;
            if (repeat > 0) {
                Arrays.sort(each);
                System.out.println("ms_median " + each[repeat / 2]);
                System.out.println("ms_min " + each[0]);
            }
            try (OrtSession.Result result = session.run(inputs)) {
                for (Map.Entry<String, OnnxValue> e : result) {
                    FloatBuffer fb = ((OnnxTensor) e.getValue()).getFloatBuffer();
                    ByteBuffer out = ByteBuffer.allocate(fb.remaining() * 4).order(ByteOrder.LITTLE_ENDIAN);
                    out.asFloatBuffer().put(fb);
                    Files.write(Path.of(args[1], e.getKey() + ".bin"), out.array());
                    long[] shape = ((TensorInfo) e.getValue().getInfo()).getShape();
                    System.out.println("output " + e.getKey() + " " + Arrays.toString(shape));
                }
            }
            System.out.println("ms_per_run " + ms);
            inputs.values().forEach(OnnxTensor::close);
        }
    }
}
