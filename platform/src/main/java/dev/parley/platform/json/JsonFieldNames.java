package dev.parley.platform.json;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import jakarta.inject.Singleton;
import org.hibernate.validator.spi.nodenameprovider.JavaBeanProperty;
import org.hibernate.validator.spi.nodenameprovider.Property;
import org.hibernate.validator.spi.nodenameprovider.PropertyNodeNameProvider;

/**
 * Bean Validation names a field as the client wrote it ({@code details.fields."daily.soft_usd"}), not as Java spells
 * it ({@code daily.softUsd}): the JSON name comes from the application's ObjectMapper (snake_case, or a
 * {@code @JsonProperty}). Quarkus's validator picks this bean up in every service.
 */
@Singleton
public class JsonFieldNames implements PropertyNodeNameProvider {
    private final ObjectMapper mapper;
    private final Map<Class<?>, Map<String, String>> names = new ConcurrentHashMap<>();

    public JsonFieldNames(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public String getName(Property property) {
        if (property instanceof JavaBeanProperty p) {
            return names.computeIfAbsent(p.getDeclaringClass(), this::jsonNames).getOrDefault(p.getName(), p.getName());
        }
        return property.getName();
    }

    private Map<String, String> jsonNames(Class<?> type) {
        Map<String, String> out = new ConcurrentHashMap<>();
        for (BeanPropertyDefinition d : mapper.getDeserializationConfig().introspect(mapper.constructType(type)).findProperties()) {
            out.put(d.getInternalName(), d.getName());
        }
        return out;
    }
}
