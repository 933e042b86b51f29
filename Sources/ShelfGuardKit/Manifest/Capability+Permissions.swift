extension Capability {
    /// The capability a platform permission grants, if it is one the review cares about.
    public static func of(permission: String, on platform: AppManifest.Platform) -> Capability? {
        switch platform {
        case .android: android[permission]
        case .ios: ios[permission] ?? (permission.hasPrefix("NSLocation") ? .location : nil)
        case .harmony: harmony[permission]
        case .quickapp: quickApp[permission]
        case .wechatMini, .douyinMini, .alipayMini: miniProgram[permission]
        }
    }

    static let android: [String: Capability] = [
        "android.permission.CAMERA": .camera,
        "android.permission.FOREGROUND_SERVICE_CAMERA": .camera,
        "android.permission.RECORD_AUDIO": .microphone,
        "android.permission.FOREGROUND_SERVICE_MICROPHONE": .microphone,
        "android.permission.READ_MEDIA_IMAGES": .photos,
        "android.permission.READ_MEDIA_VIDEO": .photos,
        "android.permission.READ_MEDIA_VISUAL_USER_SELECTED": .photos,
        "android.permission.ACCESS_MEDIA_LOCATION": .photos,
        "android.permission.READ_EXTERNAL_STORAGE": .storage,
        "android.permission.WRITE_EXTERNAL_STORAGE": .storage,
        "android.permission.MANAGE_EXTERNAL_STORAGE": .storage,
        "android.permission.ACCESS_FINE_LOCATION": .location,
        "android.permission.ACCESS_COARSE_LOCATION": .location,
        "android.permission.ACCESS_BACKGROUND_LOCATION": .location,
        "android.permission.USE_BIOMETRIC": .biometric,
        "android.permission.USE_FINGERPRINT": .biometric,
        "android.permission.READ_CONTACTS": .contacts,
        "android.permission.WRITE_CONTACTS": .contacts,
    ]

    static let ios: [String: Capability] = [
        "NSCameraUsageDescription": .camera,
        "NSMicrophoneUsageDescription": .microphone,
        "NSPhotoLibraryUsageDescription": .photos,
        "NSPhotoLibraryAddUsageDescription": .photos,
        "NSSpeechRecognitionUsageDescription": .speechRecognition,
        "NSFaceIDUsageDescription": .biometric,
        "NSContactsUsageDescription": .contacts,
    ]

    static let harmony: [String: Capability] = [
        "ohos.permission.CAMERA": .camera,
        "ohos.permission.MICROPHONE": .microphone,
        "ohos.permission.READ_MEDIA": .photos,
        "ohos.permission.WRITE_MEDIA": .photos,
        "ohos.permission.READ_IMAGEVIDEO": .photos,
        "ohos.permission.WRITE_IMAGEVIDEO": .photos,
        "ohos.permission.LOCATION": .location,
        "ohos.permission.APPROXIMATELY_LOCATION": .location,
        "ohos.permission.LOCATION_IN_BACKGROUND": .location,
        "ohos.permission.ACCESS_BIOMETRIC": .biometric,
        "ohos.permission.READ_CONTACTS": .contacts,
        "ohos.permission.WRITE_CONTACTS": .contacts,
    ]

    static let quickApp: [String: Capability] = [
        "system.camera": .camera,
        "system.record": .microphone,
        "system.audio": .microphone,
        "system.media": .photos,
        "system.image": .photos,
        "system.geolocation": .location,
        "system.contact": .contacts,
    ]

    /// Mini-programs declare few permissions; these are the scopes and private-info APIs that map.
    static let miniProgram: [String: Capability] = [
        "scope.camera": .camera,
        "scope.record": .microphone,
        "scope.writePhotosAlbum": .photos,
        "scope.userLocation": .location,
        "scope.userLocationBackground": .location,
        "getLocation": .location,
        "getFuzzyLocation": .location,
        "chooseLocation": .location,
        "startLocationUpdate": .location,
        "onLocationChange": .location,
    ]
}
