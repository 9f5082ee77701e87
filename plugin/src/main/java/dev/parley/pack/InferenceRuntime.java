package dev.parley.pack;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.parley.util.AssetFormatException;
import dev.parley.util.Validate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * Opens ONNX Runtime sessions on the best available device: CUDA when the CUDA build of ONNX Runtime
 * and a usable GPU are present, the CPU otherwise. The choice is made once and logged in one line.
 * Intra-op threads are kept modest so the game keeps its cores.
 */
public final class InferenceRuntime {

    private static final Logger LOG = Logger.getLogger(InferenceRuntime.class.getName());

    /** Where inference runs. */
    public enum Device {
        /** An NVIDIA GPU through ONNX Runtime's CUDA execution provider. */
        CUDA,
        /** The CPU. */
        CPU
    }

    private final OrtEnvironment env;
    private final Device device;
    private final int threads;
    private final String reason;

    private InferenceRuntime(OrtEnvironment env, Device device, int threads, String reason) {
        this.env = env;
        this.device = device;
        this.threads = threads;
        this.reason = reason;
    }

    /**
     * Picks the device and logs it.
     *
     * @param intraOpThreads CPU threads per session run (in [1, 64])
     * @param preferCuda try CUDA first
     * @return a runtime (not null)
     */
    public static InferenceRuntime create(int intraOpThreads, boolean preferCuda) {
        Validate.inRange(intraOpThreads, 1, 64, "intraOpThreads");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Device device = Device.CPU;
        String reason = "CUDA not requested";
        if (preferCuda) {
            try (OrtSession.SessionOptions probe = new OrtSession.SessionOptions()) {
                probe.addCUDA(0);
                device = Device.CUDA;
                reason = "CUDA execution provider available";
            } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
                // The CPU build has no CUDA provider and the CUDA build fails without a GPU: both are normal.
                reason = "CUDA unavailable: " + firstLine(e.getMessage());
            }
        }
        InferenceRuntime rt = new InferenceRuntime(env, device, intraOpThreads, reason);
        LOG.info(rt.describe());
        return rt;
    }

    /** @return where sessions run (not null) */
    public Device device() {
        return device;
    }

    /** @return a one-line description for logs and overlays, e.g. {@code CPU (2 threads; CUDA unavailable: ...)} */
    public String describe() {
        return "Parley inference on " + device
                + (device == Device.CPU ? " (" + threads + (threads == 1 ? " thread; " : " threads; ") + reason + ")"
                : " (GPU 0)");
    }

    /**
     * Opens a session for a model file.
     *
     * @param model the .onnx file (not null)
     * @return a new session; the caller owns it and must close it
     * @throws AssetFormatException if the file is missing or not a loadable ONNX model
     */
    public OrtSession open(Path model) {
        Validate.nonNull(model, "model");
        if (!Files.isRegularFile(model)) {
            throw new AssetFormatException(model.toString(), "", "does not exist");
        }
        try (OrtSession.SessionOptions opts = options()) {
            return env.createSession(model.toString(), opts);
        } catch (OrtException e) {
            throw new AssetFormatException(model.toString(), "", "is not a loadable ONNX model: "
                    + firstLine(e.getMessage()), e);
        }
    }

    /**
     * Opens a session for a model held in memory (a pack graph with an adapter merged in).
     *
     * @param model the model's bytes (not null; ONNX Runtime copies what it keeps)
     * @param name the model's name for messages (not null)
     * @return a new session; the caller owns it and must close it
     * @throws AssetFormatException if the bytes are not a loadable ONNX model
     */
    public OrtSession open(byte[] model, String name) {
        Validate.nonNull(model, "model");
        Validate.nonNull(name, "name");
        try (OrtSession.SessionOptions opts = options()) {
            return env.createSession(model, opts);
        } catch (OrtException e) {
            throw new AssetFormatException(name, "", "is not a loadable ONNX model: " + firstLine(e.getMessage()), e);
        }
    }

    private OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        try {
            opts.setIntraOpNumThreads(threads);
            opts.setInterOpNumThreads(1);
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (device == Device.CUDA) {
                opts.addCUDA(0);
            }
            return opts;
        } catch (OrtException | RuntimeException e) {
            opts.close();
            throw e;
        }
    }

    /** @return the shared ONNX Runtime environment (not null; process-wide, never closed by Parley) */
    public OrtEnvironment environment() {
        return env;
    }

    /**
     * @param s an ONNX Runtime message (may be null)
     * @return its first line, for one-line errors (not null)
     */
    static String firstLine(String s) {
        if (s == null) {
            return "no details";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
