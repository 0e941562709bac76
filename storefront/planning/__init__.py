"""Back-office planning pages: component forecast, promise accuracy and workshop capacity."""
