"""Pure OParl client: HTTP, list walking, vendor fix-ups, flattened records. No Django."""
