package dev.edgepush.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonSyntaxException;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every object that {@code kubectl kustomize} renders from deploy/kubernetes (the base and the
 * vm-cluster overlay) checked against the Kubernetes API schema, offline, no cluster: each object
 * is read into the model class of its apiVersion and kind from the Kubernetes project's Java client
 * (client-java-api, generated from the API server's OpenAPI spec). Its generated checks reject a
 * field the schema does not have, at any depth (a misspelled or misplaced field), and a missing
 * required one; the strict adapters below reject a value of the wrong JSON type (a string where an
 * integer or a boolean belongs, a number where a string belongs), as the API server's decoder does.
 * The negative tests show the check bites on a copy of the rendered StatefulSet.
 */
class KubernetesSchemaIT {
    /** apiVersion and kind of each kind deploy/kubernetes uses, to its model class; a new kind is added here. */
    private static final Map<String, Class<?>> MODELS = Map.of(
            "v1/ConfigMap", V1ConfigMap.class,
            "v1/Secret", V1Secret.class,
            "v1/Service", V1Service.class,
            "apps/v1/StatefulSet", V1StatefulSet.class,
            "policy/v1/PodDisruptionBudget", V1PodDisruptionBudget.class);

    /**
     * The client's Gson (its model adapters run the generated field checks) with the JSON scalars
     * made strict: gson alone would read "45" into an integer field and 45 into a string one.
     * Quantities, int-or-strings and base64 bytes keep the client's own adapters.
     */
    private static final Gson STRICT = JSON.getGson()
            .newBuilder()
            .registerTypeAdapter(String.class, strict(JsonToken.STRING, JsonReader::nextString))
            .registerTypeAdapter(Integer.class, strict(JsonToken.NUMBER, JsonReader::nextInt))
            .registerTypeAdapter(int.class, strict(JsonToken.NUMBER, JsonReader::nextInt))
            .registerTypeAdapter(Long.class, strict(JsonToken.NUMBER, JsonReader::nextLong))
            .registerTypeAdapter(long.class, strict(JsonToken.NUMBER, JsonReader::nextLong))
            .registerTypeAdapter(Double.class, strict(JsonToken.NUMBER, JsonReader::nextDouble))
            .registerTypeAdapter(double.class, strict(JsonToken.NUMBER, JsonReader::nextDouble))
            .registerTypeAdapter(Float.class, strict(JsonToken.NUMBER, r -> (float) r.nextDouble()))
            .registerTypeAdapter(Boolean.class, strict(JsonToken.BOOLEAN, JsonReader::nextBoolean))
            .registerTypeAdapter(boolean.class, strict(JsonToken.BOOLEAN, JsonReader::nextBoolean))
            .create();

    private interface Read<T> {
        T read(JsonReader in) throws IOException;
    }

    private static <T> TypeAdapter<T> strict(JsonToken token, Read<T> read) {
        return new TypeAdapter<T>() {
            @Override
            public void write(JsonWriter out, T value) throws IOException {
                if (value == null) {
                    out.nullValue();
                } else if (value instanceof String s) {
                    out.value(s);
                } else if (value instanceof Boolean b) {
                    out.value(b);
                } else {
                    out.value((Number) value);
                }
            }

            @Override
            public T read(JsonReader in) throws IOException {
                if (in.peek() == JsonToken.NULL) {
                    in.nextNull();
                    return null;
                }
                if (in.peek() != token) {
                    throw new JsonSyntaxException(
                            "expected " + token + " but was " + in.peek() + " at " + in.getPath());
                }
                try {
                    return read.read(in);
                } catch (NumberFormatException e) {
                    throw new JsonSyntaxException("expected an integer at " + in.getPath() + ": " + e.getMessage(), e);
                }
            }
        };
    }

    @Test
    void baseObjectsMatchTheSchema() {
        assertValid("base");
    }

    @Test
    void clusterOverlayObjectsMatchTheSchema() {
        assertValid("overlays/vm-cluster");
    }

    @Test
    void misspelledFieldFails() {
        JsonObject sts = renderedStatefulSet();
        JsonObject container = container(sts);
        container.add("resorces", container.remove("resources"));
        assertInvalid(sts, "The field `resorces` in the JSON string is not defined in the `V1Container` properties");
    }

    @Test
    void misspelledNestedFieldFails() {
        JsonObject sts = renderedStatefulSet();
        JsonObject httpGet = container(sts).getAsJsonObject("readinessProbe").getAsJsonObject("httpGet");
        httpGet.add("prot", httpGet.remove("port"));
        assertInvalid(sts, "The field `prot` in the JSON string is not defined in the `V1HTTPGetAction` properties");
    }

    @Test
    void misplacedFieldFails() {
        JsonObject sts = renderedStatefulSet();
        JsonObject podSpec =
                sts.getAsJsonObject("spec").getAsJsonObject("template").getAsJsonObject("spec");
        podSpec.add("readinessProbe", container(sts).remove("readinessProbe"));
        assertInvalid(
                sts, "The field `readinessProbe` in the JSON string is not defined in the `V1PodSpec` properties");
    }

    @Test
    void missingRequiredFieldFails() {
        JsonObject sts = renderedStatefulSet();
        container(sts).remove("name");
        assertInvalid(sts, "The required field `name` is not found in the JSON string");
    }

    @Test
    void stringWhereAnIntegerBelongsFails() {
        JsonObject sts = renderedStatefulSet();
        JsonObject podSpec =
                sts.getAsJsonObject("spec").getAsJsonObject("template").getAsJsonObject("spec");
        podSpec.addProperty("terminationGracePeriodSeconds", "45");
        assertInvalid(sts, "expected NUMBER but was STRING at $.terminationGracePeriodSeconds");
    }

    @Test
    void stringWhereABooleanBelongsFails() {
        JsonObject sts = renderedStatefulSet();
        container(sts).getAsJsonObject("securityContext").addProperty("readOnlyRootFilesystem", "yes");
        assertInvalid(sts, "expected BOOLEAN but was STRING at $.readOnlyRootFilesystem");
    }

    @Test
    void numberWhereAStringBelongsFails() {
        JsonObject sts = renderedStatefulSet();
        container(sts).addProperty("image", 42);
        assertInvalid(sts, "expected STRING but was NUMBER at $.image");
    }

    @Test
    void kindUnderTheWrongApiVersionFails() {
        JsonObject sts = renderedStatefulSet();
        sts.addProperty("apiVersion", "v1");
        assertThrows(AssertionError.class, () -> validate(sts));
    }

    private static void assertValid(String dir) {
        List<Map<String, Object>> objects = DeployFilesIT.render(dir);
        assertEquals(5, objects.size(), "objects rendered");
        for (Map<String, Object> o : objects) {
            try {
                validate(STRICT.toJsonTree(o).getAsJsonObject());
            } catch (RuntimeException e) {
                throw new AssertionError(
                        "deploy/kubernetes/" + dir + ", " + o.get("kind") + " "
                                + ((Map<?, ?>) o.get("metadata")).get("name") + ": " + e.getMessage(),
                        e);
            }
        }
    }

    /** Reads the object into the model of its apiVersion and kind; throws if the schema rejects it. */
    private static Object validate(JsonObject o) {
        String key = o.get("apiVersion").getAsString() + "/" + o.get("kind").getAsString();
        Class<?> model = MODELS.get(key);
        if (model == null) {
            throw new AssertionError("no model for " + key + " (KubernetesSchemaIT.MODELS): " + o);
        }
        Object read = STRICT.fromJson(o, model);
        assertNotNull(read, key);
        return read;
    }

    /** The schema rejects the object, and its message starts with {@code expected}. */
    private static void assertInvalid(JsonObject sts, String expected) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> validate(sts), expected);
        assertTrue(e instanceof JsonParseException || e instanceof IllegalArgumentException, e.toString());
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }

    private static JsonObject baseStatefulSet;

    /** A copy of the StatefulSet rendered from the base (rendered once), valid as it is. */
    private static synchronized JsonObject renderedStatefulSet() {
        if (baseStatefulSet == null) {
            for (Map<String, Object> o : DeployFilesIT.render("base")) {
                if ("StatefulSet".equals(o.get("kind"))) {
                    baseStatefulSet = STRICT.toJsonTree(o).getAsJsonObject();
                }
            }
            assertNotNull(baseStatefulSet, "a StatefulSet is rendered");
            validate(baseStatefulSet);
        }
        return baseStatefulSet.deepCopy();
    }

    private static JsonObject container(JsonObject sts) {
        JsonElement pod =
                sts.getAsJsonObject("spec").getAsJsonObject("template").get("spec");
        return pod.getAsJsonObject().getAsJsonArray("containers").get(0).getAsJsonObject();
    }
}
